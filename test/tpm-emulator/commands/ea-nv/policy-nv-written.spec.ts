import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_CC, TPM_RC, TPM_RH, TPMA_NV, pw, withSession } from "../../../../tpm2/index.js";
import { atParameter, atSession, define, nvPublic } from "../nv/support.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";

const INDEX = 0x015000b0;
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest();
/** Part 3 §23.20: H(old || TPM_CC_PolicyNvWritten || writtenSet). */
const writtenPolicy = (written: boolean) => sha256(Buffer.alloc(32), u32(TPM_CC.PolicyNvWritten), Buffer.from([written ? 1 : 0]));

describe("TPM2_PolicyNvWritten", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function writtenSession(writtenSet: boolean) {
    const s = await t.client.startSession({ type: "policy" });
    expect((await t.client.call("PolicyNvWritten", { handles: [s.handle], params: { writtenSet } })).rc).to.equal(TPM_RC.SUCCESS);
    return s;
  }

  it("extends the digest with the asserted state", async () => {
    const s = await writtenSession(true);
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(writtenPolicy(true));
  });

  it("refuses asserting the other state in the same session (TPM_RC_VALUE on parameter 1)", async () => {
    const s = await writtenSession(false);
    expect((await t.client.call("PolicyNvWritten", { handles: [s.handle], params: { writtenSet: true } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    expect((await t.client.call("PolicyNvWritten", { handles: [s.handle], params: { writtenSet: false } })).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("lets a write-once policy write an index only while it is unwritten (TPM_RC_POLICY_FAIL after)", async () => {
    const attributes = TPMA_NV.POLICYWRITE | TPMA_NV.OWNERREAD | TPMA_NV.NO_DA;
    await define(t, TPM_RH.OWNER, nvPublic(INDEX, attributes, 4, { authPolicy: writtenPolicy(false) }));
    const write = (s: Awaited<ReturnType<typeof writtenSession>>) =>
      t.client.call("NV_Write", { handles: [INDEX, INDEX], auths: [withSession(s)], params: { data: Buffer.from("once"), offset: 0 } });
    expect((await write(await writtenSession(false))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await write(await writtenSession(false))).rc).to.equal(atSession(TPM_RC.POLICY_FAIL, 1));
    const r = await t.client.call("NV_Read", { handles: [TPM_RH.OWNER, INDEX], auths: [pw()], params: { size: 4, offset: 0 } });
    expect(Buffer.from(r.response!.data).toString()).to.equal("once");
  });
});
