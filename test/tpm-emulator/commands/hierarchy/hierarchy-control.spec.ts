import { expect } from "chai";
import { TPM_ALG, TPM_RC, TPM_RH, pw, withSession } from "../../../../tpm2/index.js";
import { createPrimary, signingKeyTemplate } from "../key-fixture.js";
import { atHandle, atParameter } from "../nv/support.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

const control = (t: StartedTpm, authHandle: number, enable: number, state: boolean) =>
  t.client.call("HierarchyControl", { handles: [authHandle], auths: [pw()], params: { enable, state } });

describe("TPM2_HierarchyControl", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("disables the owner hierarchy: its keys are flushed and its handle answers TPM_RC_HIERARCHY", async () => {
    const key = await createPrimary(t.client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await control(t, TPM_RH.OWNER, TPM_RH.OWNER, false)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("ReadPublic", { handles: [key.handle], params: {} })).rc).to.not.equal(TPM_RC.SUCCESS);
    const create = await t.client.call("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) }, inPublic: signingKeyTemplate("ecc"), outsideInfo: Buffer.alloc(0), creationPCR: [] },
    });
    expect(create.rc).to.equal(atHandle(TPM_RC.HIERARCHY, 1));
  });

  it("only platformAuth re-enables a hierarchy (TPM_RC_AUTH_TYPE otherwise)", async () => {
    await control(t, TPM_RH.ENDORSEMENT, TPM_RH.ENDORSEMENT, false);
    expect((await control(t, TPM_RH.OWNER, TPM_RH.ENDORSEMENT, true)).rc).to.equal(TPM_RC.AUTH_TYPE);
    expect((await control(t, TPM_RH.PLATFORM, TPM_RH.ENDORSEMENT, true)).rc).to.equal(TPM_RC.SUCCESS);
    expect(t.tpm.runtime.state.ehEnable).to.equal(true);
  });

  it("the owner may not touch the platform hierarchy or another hierarchy (TPM_RC_AUTH_TYPE)", async () => {
    expect((await control(t, TPM_RH.OWNER, TPM_RH.PLATFORM, false)).rc).to.equal(TPM_RC.AUTH_TYPE);
    expect((await control(t, TPM_RH.OWNER, TPM_RH.ENDORSEMENT, false)).rc).to.equal(TPM_RC.AUTH_TYPE);
  });

  it("a disabled platform hierarchy refuses platformAuth until the next start-up", async () => {
    expect((await control(t, TPM_RH.PLATFORM, TPM_RH.PLATFORM, false)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await control(t, TPM_RH.PLATFORM, TPM_RH.PLATFORM, true)).rc).to.equal(atHandle(TPM_RC.HIERARCHY, 1));
  });

  it("rejects an `enable` that is not a hierarchy (P1) and an authHandle that is not one (H1) with TPM_RC_VALUE", async () => {
    expect((await control(t, TPM_RH.OWNER, TPM_RH.LOCKOUT, false)).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    expect((await control(t, TPM_RH.LOCKOUT, TPM_RH.OWNER, false)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});

describe("TPM2_SetPrimaryPolicy", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("sets the owner policy; a policy session satisfying it then authorizes the owner", async () => {
    const trial = await t.client.startSession({ type: "trial" });
    await t.client.run("PolicyCommandCode", { handles: [trial.handle], params: { code: 0x131 } });
    const policy = (await t.client.run("PolicyGetDigest", { handles: [trial.handle], params: {} })).policyDigest;
    const set = await t.client.call("SetPrimaryPolicy", { handles: [TPM_RH.OWNER], auths: [pw()], params: { authPolicy: policy, hashAlg: TPM_ALG.SHA256 } });
    expect(set.rc).to.equal(TPM_RC.SUCCESS);
    const session = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCommandCode", { handles: [session.handle], params: { code: 0x131 } });
    const create = await t.client.call("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [withSession(session)],
      params: { inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) }, inPublic: signingKeyTemplate("ecc"), outsideInfo: Buffer.alloc(0), creationPCR: [] },
    });
    expect(create.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("wants a digest of hashAlg, and an empty one with TPM_ALG_NULL (TPM_RC_SIZE + P1)", async () => {
    const call = (authPolicy: Buffer, hashAlg: number) =>
      t.client.call("SetPrimaryPolicy", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: { authPolicy, hashAlg } });
    expect((await call(Buffer.alloc(20), TPM_ALG.SHA256)).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
    expect((await call(Buffer.alloc(32), TPM_ALG.NULL)).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
    expect((await call(Buffer.alloc(0), TPM_ALG.NULL)).rc).to.equal(TPM_RC.SUCCESS);
  });
});

describe("TPM2_ClearControl", () => {
  it("disables TPM2_Clear (TPM_RC_DISABLED); lockoutAuth cannot enable it again, platformAuth can", async () => {
    const t = await startedTpm();
    const cc = (h: number, disable: boolean) => t.client.call("ClearControl", { handles: [h], auths: [pw()], params: { disable } });
    expect((await cc(TPM_RH.LOCKOUT, true)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("Clear", { handles: [TPM_RH.LOCKOUT], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.DISABLED);
    expect((await cc(TPM_RH.LOCKOUT, false)).rc).to.equal(TPM_RC.AUTH_FAIL);
    expect((await cc(TPM_RH.PLATFORM, false)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("Clear", { handles: [TPM_RH.LOCKOUT], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.SUCCESS);
  });
});

describe("TPM2_ChangeEPS / TPM2_ChangePPS", () => {
  it("ChangeEPS gives the endorsement hierarchy new primary keys and empties its auth", async () => {
    const t = await startedTpm();
    const before = await createPrimary(t.client, TPM_RH.ENDORSEMENT, signingKeyTemplate("ecc"));
    await t.client.run("HierarchyChangeAuth", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: { newAuth: Buffer.from("e") } });
    expect((await t.client.call("ChangeEPS", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("ReadPublic", { handles: [before.handle], params: {} })).rc).to.not.equal(TPM_RC.SUCCESS);
    const after = await createPrimary(t.client, TPM_RH.ENDORSEMENT, signingKeyTemplate("ecc"));
    expect(Buffer.from(after.name)).to.not.deep.equal(Buffer.from(before.name));
  });

  it("ChangePPS gives the platform hierarchy new primary keys; only the platform may ask (TPM_RC_VALUE + H1)", async () => {
    const t = await startedTpm();
    const before = await createPrimary(t.client, TPM_RH.PLATFORM, signingKeyTemplate("ecc"));
    expect((await t.client.call("ChangePPS", { handles: [TPM_RH.OWNER], auths: [pw()], params: {} })).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
    expect((await t.client.call("ChangePPS", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.SUCCESS);
    const after = await createPrimary(t.client, TPM_RH.PLATFORM, signingKeyTemplate("ecc"));
    expect(Buffer.from(after.name)).to.not.deep.equal(Buffer.from(before.name));
  });
});
