import { expect } from "chai";
import { TPM_CC, TPM_RC, TPM_RC_1, withSession, type ClientSession } from "../../../../tpm2/index.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, sha256 } from "./support.js";

const INDEX_AUTH = Buffer.from("index password");

describe("TPM2_PolicyAuthValue", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function authValueSession(type: "policy" | "trial"): Promise<ClientSession> {
    const s = await t.client.startSession({ type });
    await t.client.run("PolicyAuthValue", { handles: [s.handle], params: {} });
    s.authValueNeeded = true;
    return s;
  }

  it("extends the digest with TPM_CC_PolicyAuthValue", async () => {
    const s = await authValueSession("policy");
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(sha256(Buffer.alloc(32), u32(TPM_CC.PolicyAuthValue)));
  });

  it("makes the session's HMAC prove knowledge of the entity's authValue", async () => {
    const trial = await authValueSession("trial");
    const policy = (await t.client.run("PolicyGetDigest", { handles: [trial.handle], params: {} })).policyDigest;
    await defineGuardedIndex(t, policy, { auth: INDEX_AUTH });
    const read = (s: ClientSession, authValue: Buffer) =>
      t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(s, { authValue })], params: { size: 8, offset: 0 } });
    expect((await read(await authValueSession("policy"), INDEX_AUTH)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await read(await authValueSession("policy"), Buffer.from("guess"))).rc).to.equal(TPM_RC.BAD_AUTH | 0x800 | TPM_RC_1);
  });
});
