import { expect } from "chai";
import {
  COMMANDS,
  TPM_ALG,
  TPM_CC,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_H,
  TPM_RC_P,
  TPM_RH,
  TPM_ST,
  cpHash,
  marshal,
  pw,
  withSession,
} from "../../../../tpm2/index.js";
import { EMPTY, startedTpm, type StartedTpm } from "../session/support.js";
import { EK_POLICY, GUARDED_INDEX, defineGuardedIndex, policyUpdate } from "./support.js";

const SECRET_PARAMS = { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 };

describe("TPM2_PolicySecret", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  async function digestOf(handle: number): Promise<string> {
    return Buffer.from((await t.client.run("PolicyGetDigest", { handles: [handle], params: {} })).policyDigest).toString("hex");
  }

  it("PolicySecret(TPM_RH_ENDORSEMENT) reaches the EK authPolicy, authorized by password or HMAC session", async () => {
    const a = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicySecret", { handles: [TPM_RH.ENDORSEMENT, a.handle], auths: [pw()], params: SECRET_PARAMS });
    expect(await digestOf(a.handle)).to.equal(EK_POLICY);

    const b = await t.client.startSession({ type: "policy" });
    const hmac = await t.client.startSession();
    await t.client.run("PolicySecret", { handles: [TPM_RH.ENDORSEMENT, b.handle], auths: [withSession(hmac)], params: SECRET_PARAMS });
    expect(await digestOf(b.handle)).to.equal(EK_POLICY);
  });

  it("extends the digest with the entity's Name and policyRef", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const policyRef = Buffer.from("for the AK");
    await t.client.run("PolicySecret", { handles: [TPM_RH.OWNER, s.handle], auths: [pw()], params: { ...SECRET_PARAMS, policyRef } });
    const owner = Buffer.alloc(4);
    owner.writeUInt32BE(TPM_RH.OWNER);
    expect(await digestOf(s.handle)).to.equal(policyUpdate(Buffer.alloc(32), TPM_CC.PolicySecret, owner, policyRef).toString("hex"));
  });

  it("gives a session that authorizes an index guarded by that policy, and only such a session", async () => {
    await defineGuardedIndex(t, Buffer.from(EK_POLICY, "hex"));
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicySecret", { handles: [TPM_RH.ENDORSEMENT, s.handle], auths: [pw()], params: SECRET_PARAMS });
    const read = await t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(s)], params: { size: 8, offset: 0 } });
    expect(read.rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from(read.response!.data).toString()).to.equal("guarded!");

    const unsatisfied = await t.client.startSession({ type: "policy" });
    const denied = await t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(unsatisfied)], params: { size: 8, offset: 0 } });
    expect(denied.rc).to.equal(TPM_RC.POLICY_FAIL | 0x800 | TPM_RC_1);
  });

  it("checks nonceTPM against the session's", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const wrong = await t.client.call("PolicySecret", {
      handles: [TPM_RH.ENDORSEMENT, s.handle],
      auths: [pw()],
      params: { ...SECRET_PARAMS, nonceTPM: Buffer.alloc(32, 1) },
    });
    expect(wrong.rc).to.equal(TPM_RC.NONCE | TPM_RC_P | TPM_RC_1);
    const right = await t.client.call("PolicySecret", {
      handles: [TPM_RH.ENDORSEMENT, s.handle],
      auths: [pw()],
      params: { ...SECRET_PARAMS, nonceTPM: s.nonceTPM },
    });
    expect(right.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("binds the session to cpHashA: it authorizes that command and no other", async () => {
    const trial = await t.client.startSession({ type: "trial" });
    await t.client.run("PolicySecret", { handles: [TPM_RH.OWNER, trial.handle], auths: [pw()], params: SECRET_PARAMS });
    await defineGuardedIndex(t, Buffer.from(await digestOf(trial.handle), "hex"));
    const name = await t.client.nameOf(GUARDED_INDEX);
    const params = { data: Buffer.from("approved"), offset: 0 };
    const cpHashA = cpHash(TPM_ALG.SHA256, TPM_CC.NV_Write, [name, name], marshal(COMMANDS.NV_Write.params, params));

    const bindTo = async () => {
      const s = await t.client.startSession({ type: "policy" });
      await t.client.run("PolicySecret", { handles: [TPM_RH.OWNER, s.handle], auths: [pw()], params: { ...SECRET_PARAMS, cpHashA } });
      return s;
    };
    const other = await t.client.call("NV_Write", {
      handles: [GUARDED_INDEX, GUARDED_INDEX],
      auths: [withSession(await bindTo())],
      params: { data: Buffer.from("tampered"), offset: 0 },
    });
    expect(other.rc).to.equal(TPM_RC.POLICY_FAIL | 0x800 | TPM_RC_1);
    const approved = await t.client.call("NV_Write", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(await bindTo())], params });
    expect(approved.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("wants cpHashA to be a digest of the session hash, and the same one each time", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const call = (cpHashA: Buffer) =>
      t.client.call("PolicySecret", { handles: [TPM_RH.OWNER, s.handle], auths: [pw()], params: { ...SECRET_PARAMS, cpHashA } });
    expect((await call(Buffer.alloc(20, 1))).rc).to.equal(TPM_RC.SIZE | TPM_RC_P | (2 * TPM_RC_1));
    expect((await call(Buffer.alloc(32, 1))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await call(Buffer.alloc(32, 2))).rc).to.equal(TPM_RC.CPHASH);
  });

  it("returns a ticket and timeout for a negative expiration, nothing otherwise", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const plain = await t.client.run("PolicySecret", { handles: [TPM_RH.ENDORSEMENT, s.handle], auths: [pw()], params: SECRET_PARAMS });
    expect(plain.timeout).to.have.length(0);
    expect(plain.policyTicket).to.deep.include({ tag: TPM_ST.AUTH_SECRET, hierarchy: TPM_RH.NULL });
    expect(plain.policyTicket.digest).to.have.length(0);

    const withNonce = await t.client.run("PolicySecret", {
      handles: [TPM_RH.ENDORSEMENT, s.handle],
      auths: [pw()],
      params: { ...SECRET_PARAMS, nonceTPM: s.nonceTPM, expiration: -60 },
    });
    expect(withNonce.policyTicket.tag).to.equal(TPM_ST.AUTH_SECRET);
    expect(withNonce.policyTicket.hierarchy).to.equal(TPM_RH.ENDORSEMENT);
    expect(withNonce.policyTicket.digest).to.have.length(64);
    const timeout = Buffer.from(withNonce.timeout).readBigUInt64BE(0);
    expect(timeout >> 63n).to.equal(0n);
    expect(timeout >= 60_000n).to.equal(true);

    const noNonce = await t.client.run("PolicySecret", {
      handles: [TPM_RH.OWNER, s.handle],
      auths: [pw()],
      params: { ...SECRET_PARAMS, expiration: -60 },
    });
    expect(noNonce.policyTicket.hierarchy).to.equal(TPM_RH.OWNER);
    expect(Buffer.from(noNonce.timeout).readBigUInt64BE(0) >> 63n).to.equal(1n);
  });

  it("in a trial session only extends the digest: a wrong nonceTPM is not checked", async () => {
    const s = await t.client.startSession({ type: "trial" });
    const r = await t.client.call("PolicySecret", {
      handles: [TPM_RH.ENDORSEMENT, s.handle],
      auths: [pw()],
      params: { ...SECRET_PARAMS, nonceTPM: Buffer.alloc(32, 9), expiration: -1 },
    });
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect(r.response!.policyTicket.hierarchy).to.equal(TPM_RH.NULL);
    expect(await digestOf(s.handle)).to.equal(EK_POLICY);
  });

  it("refuses an authHandle that is not an entity and a session that is not a policy session", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const nullAuth = await t.client.call("PolicySecret", { handles: [TPM_RH.NULL, s.handle], auths: [pw()], params: SECRET_PARAMS });
    expect(nullAuth.rc).to.equal(TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
    const hmac = await t.client.startSession();
    const notPolicy = await t.client.call("PolicySecret", { handles: [TPM_RH.ENDORSEMENT, hmac.handle], auths: [pw()], params: SECRET_PARAMS });
    expect(notPolicy.rc).to.equal(TPM_RC.VALUE | TPM_RC_H | (2 * TPM_RC_1));
  });
});
