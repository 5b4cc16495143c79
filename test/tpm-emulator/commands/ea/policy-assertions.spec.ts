// TPM2_PolicyOR, PolicyLocality, PolicyPhysicalPresence, PolicyCpHash, PolicyNameHash, PolicyTemplate,
// PolicyDuplicationSelect and PolicyCounterTimer: digests recomputed here, and each deferred assertion enforced
// when the session authorizes.
import { expect } from "chai";
import { TPM_CC, TPM_EO, TPM_RC, TPM_RH, pw, withSession, type ClientSession } from "../../../../tpm2/index.js";
import { atParameter, atSession } from "../nv/support.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, sha256 } from "./support.js";

const ZERO = Buffer.alloc(32);
const digestOf = async (t: StartedTpm, s: ClientSession) => Buffer.from((await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest);
const readGuarded = (t: StartedTpm, s: ClientSession) =>
  t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(s)], params: { size: 8, offset: 0 } });

describe("TPM2_PolicyOR", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("replaces a matching branch by H(0 || TPM_CC_PolicyOR || branches) and so authorizes", async () => {
    const branchA = sha256(ZERO, u32(TPM_CC.PolicyCommandCode), u32(TPM_CC.NV_Read));
    const branchB = Buffer.alloc(32, 0xbb);
    const orDigest = sha256(ZERO, u32(TPM_CC.PolicyOR), branchA, branchB);
    await defineGuardedIndex(t, orDigest);
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Read } });
    expect((await t.client.call("PolicyOR", { handles: [s.handle], params: { pHashList: [branchA, branchB] } })).rc).to.equal(TPM_RC.SUCCESS);
    expect(await digestOf(t, s)).to.deep.equal(orDigest);
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses when no branch is the current digest (TPM_RC_VALUE + P1) and a list of one (TPM_RC_SIZE + P1)", async () => {
    const s = await t.client.startSession({ type: "policy" });
    expect((await t.client.call("PolicyOR", { handles: [s.handle], params: { pHashList: [Buffer.alloc(32, 1), Buffer.alloc(32, 2)] } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    expect((await t.client.call("PolicyOR", { handles: [s.handle], params: { pHashList: [ZERO] } })).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
  });

  it("a trial session takes any branch list", async () => {
    const s = await t.client.startSession({ type: "trial" });
    expect((await t.client.call("PolicyOR", { handles: [s.handle], params: { pHashList: [Buffer.alloc(32, 1), Buffer.alloc(32, 2)] } })).rc).to.equal(TPM_RC.SUCCESS);
  });
});

describe("TPM2_PolicyLocality", () => {
  it("extends with the locality octet and refuses authorization at another locality (TPM_RC_LOCALITY)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyLocality", { handles: [s.handle], params: { locality: 0b00010 } });
    const digest = await digestOf(t, s);
    expect(digest).to.deep.equal(sha256(ZERO, u32(TPM_CC.PolicyLocality), Uint8Array.of(0b00010)));
    await defineGuardedIndex(t, digest);
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.LOCALITY);
    t.tpm.runtime.locality = 1;
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("narrows the set on a second call; an empty intersection is TPM_RC_RANGE + P1", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyLocality", { handles: [s.handle], params: { locality: 0b00011 } });
    expect((await t.client.call("PolicyLocality", { handles: [s.handle], params: { locality: 0b00100 } })).rc).to.equal(atParameter(TPM_RC.RANGE, 1));
    expect((await t.client.call("PolicyLocality", { handles: [s.handle], params: { locality: 0 } })).rc).to.equal(atParameter(TPM_RC.RANGE, 1));
  });
});

describe("TPM2_PolicyPhysicalPresence", () => {
  it("makes authorization need physical presence (TPM_RC_PP + session 1)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyPhysicalPresence", { handles: [s.handle], params: {} });
    const digest = await digestOf(t, s);
    expect(digest).to.deep.equal(sha256(ZERO, u32(TPM_CC.PolicyPhysicalPresence)));
    await defineGuardedIndex(t, digest);
    expect((await readGuarded(t, s)).rc).to.equal(atSession(TPM_RC.PP, 1));
    t.tpm.runtime.physicalPresence = true;
    expect((await readGuarded(t, s)).rc).to.equal(TPM_RC.SUCCESS);
  });
});

describe("TPM2_PolicyCpHash / TPM2_PolicyNameHash / TPM2_PolicyTemplate", () => {
  it("PolicyCpHash binds the session to one command's parameters (TPM_RC_POLICY_FAIL for others)", async () => {
    const t = await startedTpm();
    await defineGuardedIndex(t, ZERO);
    const name = await t.client.nameOf(GUARDED_INDEX);
    const cpRead8 = sha256(u32(TPM_CC.NV_Read), Buffer.from([0x40, 0, 0, 1]), name, Buffer.from([0, 8, 0, 0]));
    const policy = sha256(ZERO, u32(TPM_CC.PolicyCpHash), cpRead8);
    await t.client.run("SetPrimaryPolicy", { handles: [TPM_RH.OWNER], auths: [pw()], params: { authPolicy: policy, hashAlg: 0x000b } });
    const read = (s: ClientSession, size: number) =>
      t.client.call("NV_Read", { handles: [TPM_RH.OWNER, GUARDED_INDEX], auths: [withSession(s)], params: { size, offset: 0 } });

    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCpHash", { handles: [s.handle], params: { cpHashA: cpRead8 } });
    expect(await digestOf(t, s)).to.deep.equal(policy);
    expect((await read(s, 4)).rc).to.equal(atSession(TPM_RC.POLICY_FAIL, 1));
    expect((await read(s, 8)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("PolicyCpHash refuses a second, different cpHash (TPM_RC_CPHASH) and one of the wrong size (TPM_RC_SIZE + P1)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCpHash", { handles: [s.handle], params: { cpHashA: Buffer.alloc(32, 9) } });
    expect((await t.client.call("PolicyCpHash", { handles: [s.handle], params: { cpHashA: Buffer.alloc(32, 1) } })).rc).to.equal(TPM_RC.CPHASH);
    expect((await t.client.call("PolicyCpHash", { handles: [s.handle], params: { cpHashA: Buffer.alloc(20) } })).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
  });

  it("PolicyNameHash is checked against the Names of the command's handles", async () => {
    const t = await startedTpm();
    await defineGuardedIndex(t, ZERO);
    const name = await t.client.nameOf(GUARDED_INDEX);
    // the owner's policy: NV_Read through the owner, limited by nameHash to this index
    const good = sha256(Buffer.from([0x40, 0, 0, 1]), name);
    const policy = sha256(ZERO, u32(TPM_CC.PolicyNameHash), good);
    await t.client.run("SetPrimaryPolicy", { handles: [TPM_RH.OWNER], auths: [pw()], params: { authPolicy: policy, hashAlg: 0x000b } });
    const read = (s: ClientSession) => t.client.call("NV_Read", { handles: [TPM_RH.OWNER, GUARDED_INDEX], auths: [withSession(s)], params: { size: 8, offset: 0 } });

    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyNameHash", { handles: [s.handle], params: { nameHash: good } });
    expect((await read(s)).rc).to.equal(TPM_RC.SUCCESS);

    const bad = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyNameHash", { handles: [bad.handle], params: { nameHash: good } });
    await t.client.run("PolicyRestart", { handles: [bad.handle], params: {} });
    await t.client.run("PolicyNameHash", { handles: [bad.handle], params: { nameHash: Buffer.alloc(32, 3) } });
    expect((await t.client.call("PolicyNameHash", { handles: [bad.handle], params: { nameHash: good } })).rc).to.equal(TPM_RC.CPHASH);
  });

  it("PolicyTemplate: digest, same-value repeat allowed, a different one is TPM_RC_VALUE + P1, after a cpHash TPM_RC_CPHASH", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    const th = Buffer.alloc(32, 7);
    await t.client.run("PolicyTemplate", { handles: [s.handle], params: { templateHash: th } });
    expect(await digestOf(t, s)).to.deep.equal(sha256(ZERO, u32(TPM_CC.PolicyTemplate), th));
    expect((await t.client.call("PolicyTemplate", { handles: [s.handle], params: { templateHash: th } })).rc).to.equal(TPM_RC.SUCCESS);
    expect((await t.client.call("PolicyTemplate", { handles: [s.handle], params: { templateHash: Buffer.alloc(32, 8) } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    const c = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyCpHash", { handles: [c.handle], params: { cpHashA: th } });
    expect((await t.client.call("PolicyTemplate", { handles: [c.handle], params: { templateHash: th } })).rc).to.equal(TPM_RC.CPHASH);
  });
});

describe("TPM2_PolicyDuplicationSelect", () => {
  it("extends with the Names and includeObject and limits the session to TPM2_Duplicate", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    const objectName = Buffer.concat([Buffer.from([0, 0x0b]), Buffer.alloc(32, 1)]);
    const newParentName = Buffer.concat([Buffer.from([0, 0x0b]), Buffer.alloc(32, 2)]);
    await t.client.run("PolicyDuplicationSelect", { handles: [s.handle], params: { objectName, newParentName, includeObject: true } });
    expect(await digestOf(t, s)).to.deep.equal(sha256(ZERO, u32(TPM_CC.PolicyDuplicationSelect), objectName, newParentName, Uint8Array.of(1)));
    expect((await t.client.call("PolicyCommandCode", { handles: [s.handle], params: { code: TPM_CC.NV_Read } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    expect((await t.client.call("PolicyDuplicationSelect", { handles: [s.handle], params: { objectName, newParentName, includeObject: false } })).rc).to.equal(TPM_RC.CPHASH);
  });
});

describe("TPM2_PolicyCounterTimer", () => {
  it("compares against TPMS_TIME_INFO (Clock at offset 8) and extends with H(operandB || offset || operation)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    const operandB = Buffer.alloc(8);
    const ok = await t.client.call("PolicyCounterTimer", { handles: [s.handle], params: { operandB, offset: 8, operation: TPM_EO.UNSIGNED_GE } });
    expect(ok.rc).to.equal(TPM_RC.SUCCESS);
    const args = sha256(operandB, Buffer.from([0, 8]), Buffer.from([0, TPM_EO.UNSIGNED_GE]));
    expect(await digestOf(t, s)).to.deep.equal(sha256(ZERO, u32(TPM_CC.PolicyCounterTimer), args));
    const future = Buffer.alloc(8);
    future.writeBigUInt64BE(1n << 60n);
    expect((await t.client.call("PolicyCounterTimer", { handles: [s.handle], params: { operandB: future, offset: 8, operation: TPM_EO.UNSIGNED_GT } })).rc).to.equal(TPM_RC.POLICY);
  });

  it("refuses an offset past TPMS_TIME_INFO (TPM_RC_VALUE + P2) and a range past it (TPM_RC_RANGE)", async () => {
    const t = await startedTpm();
    const s = await t.client.startSession({ type: "policy" });
    expect((await t.client.call("PolicyCounterTimer", { handles: [s.handle], params: { operandB: Buffer.alloc(1), offset: 26, operation: TPM_EO.EQ } })).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
    expect((await t.client.call("PolicyCounterTimer", { handles: [s.handle], params: { operandB: Buffer.alloc(8), offset: 20, operation: TPM_EO.EQ } })).rc).to.equal(TPM_RC.RANGE);
  });
});

