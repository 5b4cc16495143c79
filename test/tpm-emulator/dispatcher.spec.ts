// The dispatcher's handle-area checks: a handle of the wrong interface type is TPM_RC_VALUE on that handle, found
// before any handle is looked up (as libtpms unmarshals the handle area first).
import { expect } from "chai";
import { TPM_RC, TPM_RH, pw } from "../../tpm2/index.js";
import { OWNER_INDEX, OWNER_RW, atHandle, define, nvPublic } from "./commands/nv/support.js";
import { startedTpm } from "./commands/session/support.js";

describe("dispatcher: handle types before existence", () => {
  it("an NV index where an object is expected is TPM_RC_VALUE + handle 1, even when the index exists", async () => {
    const t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW, 8));
    expect((await t.client.call("ReadPublic", { handles: [OWNER_INDEX], params: {} })).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });

  it("a persistent handle where a saved-context handle is expected is TPM_RC_VALUE + handle 1", async () => {
    const t = await startedTpm();
    expect((await t.client.call("ContextSave", { handles: [0x81000001], params: {} })).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });

  it("checks every handle's type before looking any up: a missing object at H1 and a bad type at H2 give H2", async () => {
    const t = await startedTpm();
    const out = await t.client.call("EvictControl", { handles: [TPM_RH.OWNER, TPM_RH.ENDORSEMENT], auths: [pw()], params: { persistentHandle: 0x81000001 } });
    expect(out.rc).to.equal(atHandle(TPM_RC.VALUE, 2));
    const policy = await t.client.call("PolicyGetDigest", { handles: [0x02000000], params: {} });
    expect(policy.rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });

  it("a session used only for audit still has its HMAC checked (TPM_RC_BAD_AUTH + session 1)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession();
    s.nonceTPM = Buffer.alloc(32, 1);
    const out = await t.client.call("GetRandom", { auths: [{ kind: "session", session: s, authValue: Buffer.alloc(0), attributes: 0x81 }], params: { bytesRequested: 4 } });
    expect(out.rc).to.equal(TPM_RC.BAD_AUTH | 0x900);
  });
});
