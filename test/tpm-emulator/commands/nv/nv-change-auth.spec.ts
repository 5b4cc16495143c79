import { expect } from "chai";
import { TPM_CC, TPM_RC, TPM_RH, pw, withSession } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, OWNER_RW, atParameter, atSession, commandCodePolicy, commandCodeSession, define, nvPublic, write } from "./support.js";

const INDEX = 0x01500070;

describe("TPM2_NV_ChangeAuth", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    const pub = nvPublic(INDEX, OWNER_RW | A.NO_DA, 8, { authPolicy: commandCodePolicy(TPM_CC.NV_ChangeAuth) });
    expect((await define(t, TPM_RH.OWNER, pub, Buffer.from("old"))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("changes the index's authValue through its policy: the new value authorizes, the old no longer does", async () => {
    const session = await commandCodeSession(t, TPM_CC.NV_ChangeAuth);
    const r = await t.client.call("NV_ChangeAuth", { handles: [INDEX], auths: [withSession(session)], params: { newAuth: Buffer.from("new") } });
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect((await write(t, INDEX, INDEX, Buffer.from("x"), 0, "new")).rc).to.equal(TPM_RC.SUCCESS);
    expect((await write(t, INDEX, INDEX, Buffer.from("x"), 0, "old")).rc).to.equal(atSession(TPM_RC.BAD_AUTH, 1));
  });

  it("needs a policy session for the ADMIN role (TPM_RC_AUTH_TYPE), and leaves the authValue alone", async () => {
    const r = await t.client.call("NV_ChangeAuth", { handles: [INDEX], auths: [pw("old")], params: { newAuth: Buffer.from("new") } });
    expect(r.rc).to.equal(TPM_RC.AUTH_TYPE);
    expect((await write(t, INDEX, INDEX, Buffer.from("x"), 0, "old")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses a policy of another command (TPM_RC_POLICY_FAIL on session 1) and an authValue longer than the nameAlg digest", async () => {
    const wrong = await commandCodeSession(t, TPM_CC.NV_Write);
    const r1 = await t.client.call("NV_ChangeAuth", { handles: [INDEX], auths: [withSession(wrong)], params: { newAuth: Buffer.from("new") } });
    expect(r1.rc).to.equal(atSession(TPM_RC.POLICY_FAIL, 1));
    const session = await commandCodeSession(t, TPM_CC.NV_ChangeAuth);
    const r2 = await t.client.call("NV_ChangeAuth", { handles: [INDEX], auths: [withSession(session)], params: { newAuth: Buffer.alloc(33, 1) } });
    expect(r2.rc).to.equal(atParameter(TPM_RC.SIZE, 1));
  });
});
