import { expect } from "chai";
import { TPM_RC, TPM_RH, TPMA_OBJECT, pw } from "../../../../tpm2/index.js";
import { OWNER_INDEX, OWNER_RW, atHandle, atSession, define, nvPublic, read, write } from "../nv/support.js";
import { loadEccKey, startedTpm, type StartedTpm } from "../session/support.js";

const daParameters = (t: StartedTpm, newMaxTries: number, newRecoveryTime: number, lockoutRecovery: number, auth = "") =>
  t.client.call("DictionaryAttackParameters", {
    handles: [TPM_RH.LOCKOUT],
    auths: [pw(auth)],
    params: { newMaxTries, newRecoveryTime, lockoutRecovery },
  });
const lockReset = (t: StartedTpm, auth = "") =>
  t.client.call("DictionaryAttackLockReset", { handles: [TPM_RH.LOCKOUT], auths: [pw(auth)], params: {} });
const clockForward = async (t: StartedTpm, seconds: number) => {
  const now = (await t.client.run("ReadClock", { params: {} })).currentTime.clockInfo.clock;
  await t.client.run("ClockSet", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newTime: now + BigInt(seconds) * 1000n } });
};

describe("dictionary-attack protection (Part 1 §19.8, Part 3 §25)", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    expect((await daParameters(t, 3, 10, 60)).rc).to.equal(TPM_RC.SUCCESS);
    // a DA-protected index (no TPMA_NV_NO_DA) with authValue "secret"
    await define(t, TPM_RH.OWNER, nvPublic(OWNER_INDEX, OWNER_RW, 8), Buffer.from("secret"));
    await write(t, OWNER_INDEX, OWNER_INDEX, Buffer.from("12345678"), 0, "secret");
  });

  it("counts bad authValues as failed tries and locks DA-protected entities out at maxTries", async () => {
    for (let i = 0; i < 3; i++) expect((await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "wrong")).rc).to.equal(atSession(TPM_RC.AUTH_FAIL, 1));
    expect(t.tpm.runtime.state.da.failedTries).to.equal(3);
    expect((await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "secret")).rc).to.equal(TPM_RC.LOCKOUT);
    // entities exempt from DA still work: the owner hierarchy
    expect((await read(t, TPM_RH.OWNER, OWNER_INDEX, 8)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("TPM2_DictionaryAttackLockReset ends the lockout", async () => {
    for (let i = 0; i < 3; i++) await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "wrong");
    expect((await lockReset(t)).rc).to.equal(TPM_RC.SUCCESS);
    expect(t.tpm.runtime.state.da.failedTries).to.equal(0);
    expect((await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "secret")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("forgets one failed try per recoveryTime seconds of TPM Clock", async () => {
    for (let i = 0; i < 3; i++) await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "wrong");
    await clockForward(t, 11);
    expect((await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "secret")).rc).to.equal(TPM_RC.SUCCESS);
    expect(t.tpm.runtime.state.da.failedTries).to.equal(2);
    await clockForward(t, 25);
    await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "secret");
    expect(t.tpm.runtime.state.da.failedTries).to.equal(0);
  });

  it("a bad lockoutAuth disables lockoutAuth for lockoutRecovery seconds", async () => {
    await t.client.run("HierarchyChangeAuth", { handles: [TPM_RH.LOCKOUT], auths: [pw()], params: { newAuth: Buffer.from("lock") } });
    expect((await lockReset(t, "nope")).rc).to.equal(atSession(TPM_RC.AUTH_FAIL, 1));
    expect((await lockReset(t, "lock")).rc).to.equal(TPM_RC.LOCKOUT);
    // lockoutAuth failures do not count as failed tries
    expect(t.tpm.runtime.state.da.failedTries).to.equal(0);
    await clockForward(t, 61);
    expect((await lockReset(t, "lock")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("exempts noDA objects and noDA indices: a bad authValue is TPM_RC_BAD_AUTH and counts nothing", async () => {
    const key = loadEccKey(t.tpm, TPMA_OBJECT.userWithAuth | TPMA_OBJECT.sign | TPMA_OBJECT.noDA);
    const out = await t.client.call("Sign", {
      handles: [key.handle],
      auths: [pw("wrong")],
      params: {
        digest: Buffer.alloc(32),
        inScheme: { scheme: 0x0018, details: { hashAlg: 0x000b } },
        validation: { tag: 0x8024, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) },
      },
    });
    expect(out.rc).to.equal(atSession(TPM_RC.BAD_AUTH, 1));
    expect(t.tpm.runtime.state.da.failedTries).to.equal(0);
  });

  it("a recoveryTime of zero disables DA protection: failures are not counted", async () => {
    await daParameters(t, 3, 0, 0);
    for (let i = 0; i < 5; i++) await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "wrong");
    expect((await read(t, OWNER_INDEX, OWNER_INDEX, 8, 0, "secret")).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses a handle other than TPM_RH_LOCKOUT with TPM_RC_VALUE + handle 1", async () => {
    const out = await t.client.call("DictionaryAttackLockReset", { handles: [TPM_RH.OWNER], auths: [pw()], params: {} });
    expect(out.rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
