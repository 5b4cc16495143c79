import { expect } from "chai";
import { TPM_CC, TPM_RC, TPM_RC_1, TPM_RC_P, withSession } from "../../../../tpm2/index.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, sha256 } from "./support.js";

describe("TPM2_PolicyCommandCode", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function restrictedTo(code: number, type: "policy" | "trial" = "policy") {
    const s = await t.client.startSession({ type });
    await t.client.run("PolicyCommandCode", { handles: [s.handle], params: { code } });
    return s;
  }

  it("extends the digest with the command code", async () => {
    const s = await restrictedTo(TPM_CC.NV_Read);
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(sha256(Buffer.alloc(32), u32(TPM_CC.PolicyCommandCode), u32(TPM_CC.NV_Read)));
  });

  it("lets the session authorize that command and refuses it for any other (TPM_RC_POLICY_CC)", async () => {
    const trial = await restrictedTo(TPM_CC.NV_Read, "trial");
    const policy = (await t.client.run("PolicyGetDigest", { handles: [trial.handle], params: {} })).policyDigest;
    await defineGuardedIndex(t, policy);
    const read = await t.client.call("NV_Read", {
      handles: [GUARDED_INDEX, GUARDED_INDEX],
      auths: [withSession(await restrictedTo(TPM_CC.NV_Read))],
      params: { size: 8, offset: 0 },
    });
    expect(read.rc).to.equal(TPM_RC.SUCCESS);
    const write = await t.client.call("NV_Write", {
      handles: [GUARDED_INDEX, GUARDED_INDEX],
      auths: [withSession(await restrictedTo(TPM_CC.NV_Read))],
      params: { data: Buffer.from("x"), offset: 0 },
    });
    expect(write.rc).to.equal(TPM_RC.POLICY_CC | 0x800 | TPM_RC_1);
  });

  it("refuses a second, different command code (TPM_RC_VALUE) and accepts the same one again", async () => {
    const s = await restrictedTo(TPM_CC.NV_Read);
    expect((await t.client.call("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Read } })).rc).to.equal(TPM_RC.SUCCESS);
    const other = await t.client.call("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Write } });
    expect(other.rc).to.equal(TPM_RC.VALUE | TPM_RC_P | TPM_RC_1);
  });

  it("refuses a code this TPM does not implement (TPM_RC_POLICY_CC)", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const r = await t.client.call("PolicyCommandCode", { handles: [s.handle], params: { code: 0x1ff } });
    expect(r.rc).to.equal(TPM_RC.POLICY_CC | TPM_RC_P | TPM_RC_1);
  });
});
