import { expect } from "chai";
import { TPM_CC, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RH, pw } from "../../../../tpm2/index.js";
import { EMPTY, startedTpm, type StartedTpm } from "./support.js";

describe("TPM2_PolicyRestart", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function digestOf(handle: number): Promise<Buffer> {
    return Buffer.from((await t.client.run("PolicyGetDigest", { handles: [handle], params: {} })).policyDigest);
  }

  it("takes a policy session back to the empty policy, dropping its command-code restriction", async () => {
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicySecret", {
      handles: [TPM_RH.ENDORSEMENT, s.handle],
      auths: [pw()],
      params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
    });
    await t.client.run("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Read } });
    expect(await digestOf(s.handle)).to.not.deep.equal(Buffer.alloc(32));

    await t.client.run("PolicyRestart", { handles: [s.handle], params: {} });
    expect(await digestOf(s.handle)).to.deep.equal(Buffer.alloc(32));
    const other = await t.client.call("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Write } });
    expect(other.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses an HMAC session (TPM_RC_VALUE on handle 1)", async () => {
    const s = await t.client.startSession();
    const r = await t.client.call("PolicyRestart", { handles: [s.handle], params: {} });
    expect(r.rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });
});
