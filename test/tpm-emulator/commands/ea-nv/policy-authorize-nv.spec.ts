import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_CC, TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { OWNER_RW, commandCodePolicy, define, nvPublic, write } from "../nv/support.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";

const INDEX = 0x015000c0;
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest();
const tpmtHa = (alg: number, digest: Buffer) => Buffer.concat([Buffer.from([alg >> 8, alg & 0xff]), digest]);

describe("TPM2_PolicyAuthorizeNV", () => {
  let t: StartedTpm;
  let name: Buffer;
  const approved = commandCodePolicy(TPM_CC.NV_Read);
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(INDEX, OWNER_RW, 34));
    await write(t, TPM_RH.OWNER, INDEX, tpmtHa(TPM_ALG.SHA256, approved));
    name = Buffer.from((await t.client.run("NV_ReadPublic", { handles: [INDEX], params: {} })).nvName);
  });

  async function sessionAt(code: number) {
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCommandCode", { handles: [s.handle], params: { code } });
    return s;
  }
  const authorizeNv = (session: number) =>
    t.client.call("PolicyAuthorizeNV", { handles: [TPM_RH.OWNER, INDEX, session], auths: [pw()], params: {} });

  it("replaces the approved policy by H(0…0 || TPM_CC_PolicyAuthorizeNV || nvName)", async () => {
    const s = await sessionAt(TPM_CC.NV_Read);
    expect((await authorizeNv(s.handle)).rc).to.equal(TPM_RC.SUCCESS);
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(sha256(Buffer.alloc(32), u32(TPM_CC.PolicyAuthorizeNV), name));
  });

  it("refuses a policy the index does not hold (TPM_RC_VALUE) and an index holding another hash (TPM_RC_HASH)", async () => {
    expect((await authorizeNv((await sessionAt(TPM_CC.NV_Write)).handle)).rc).to.equal(TPM_RC.VALUE);
    await write(t, TPM_RH.OWNER, INDEX, tpmtHa(TPM_ALG.SHA1, approved.subarray(0, 20)));
    expect((await authorizeNv((await sessionAt(TPM_CC.NV_Read)).handle)).rc).to.equal(TPM_RC.HASH);
  });

  it("computes the digest in a trial session without reading the index", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(INDEX + 1, OWNER_RW, 34));
    const s = await t.client.startSession({ type: "trial" });
    const r = await t.client.call("PolicyAuthorizeNV", { handles: [TPM_RH.OWNER, INDEX + 1, s.handle], auths: [pw()], params: {} });
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
  });
});
