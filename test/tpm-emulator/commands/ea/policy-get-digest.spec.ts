import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

describe("TPM2_PolicyGetDigest", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("starts as a zero digest of the session's hash", async () => {
    for (const [authHash, size] of [[TPM_ALG.SHA256, 32], [TPM_ALG.SHA1, 20], [TPM_ALG.SHA384, 48]] as const) {
      const s = await t.client.startSession({ type: "policy", authHash });
      const r = await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} });
      expect(Buffer.from(r.policyDigest)).to.deep.equal(Buffer.alloc(size));
    }
  });

  it("refuses an HMAC session (TPM_RC_VALUE on handle 1)", async () => {
    const s = await t.client.startSession();
    const r = await t.client.call("PolicyGetDigest", { handles: [s.handle], params: {} });
    expect(r.rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });
});
