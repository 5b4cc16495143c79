import { expect } from "chai";
import { TPM_ALG, TPM_CC, TPM_RC, TPM_RC_1, TPM_RC_P, TPML_PCR_SELECTION, marshal, pw, withSession } from "../../../../tpm2/index.js";
import { EMPTY, startedTpm, u32, type StartedTpm } from "../session/support.js";
import { GUARDED_INDEX, defineGuardedIndex, sha256 } from "./support.js";

const PCRS_1_2 = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0x06, 0, 0]) }];

describe("TPM2_PolicyPCR", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    for (const pcr of [1, 2]) {
      await t.client.run("PCR_Extend", { handles: [pcr], auths: [pw()], params: { digests: [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, pcr) }] } });
    }
  });

  async function pcrValues(): Promise<Buffer[]> {
    const r = await t.client.run("PCR_Read", { params: { pcrSelectionIn: PCRS_1_2 } });
    return r.pcrValues.map((v) => Buffer.from(v));
  }

  async function digestOf(handle: number): Promise<Buffer> {
    return Buffer.from((await t.client.run("PolicyGetDigest", { handles: [handle], params: {} })).policyDigest);
  }

  it("extends the digest with the selection and the digest of the PCR values now", async () => {
    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyPCR", { handles: [s.handle], params: { pcrDigest: EMPTY, pcrs: PCRS_1_2 } });
    const pcrDigest = sha256(...(await pcrValues()));
    const expected = sha256(Buffer.alloc(32), u32(TPM_CC.PolicyPCR), marshal(TPML_PCR_SELECTION, PCRS_1_2), pcrDigest);
    expect(await digestOf(s.handle)).to.deep.equal(expected);
  });

  it("accepts the caller's pcrDigest only when it matches the PCRs", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const wrong = await t.client.call("PolicyPCR", { handles: [s.handle], params: { pcrDigest: Buffer.alloc(32, 1), pcrs: PCRS_1_2 } });
    expect(wrong.rc).to.equal(TPM_RC.VALUE | TPM_RC_P | TPM_RC_1);
    const right = await t.client.call("PolicyPCR", { handles: [s.handle], params: { pcrDigest: sha256(...(await pcrValues())), pcrs: PCRS_1_2 } });
    expect(right.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("guards an index: the session authorizes until a PCR changes", async () => {
    const trial = await t.client.startSession({ type: "trial" });
    await t.client.run("PolicyPCR", { handles: [trial.handle], params: { pcrDigest: EMPTY, pcrs: PCRS_1_2 } });
    await defineGuardedIndex(t, await digestOf(trial.handle));

    const s = await t.client.startSession({ type: "policy" });
    await t.client.run("PolicyPCR", { handles: [s.handle], params: { pcrDigest: EMPTY, pcrs: PCRS_1_2 } });
    const read = () => t.client.call("NV_Read", { handles: [GUARDED_INDEX, GUARDED_INDEX], auths: [withSession(s)], params: { size: 8, offset: 0 } });
    expect((await read()).rc).to.equal(TPM_RC.SUCCESS);
    // a policy session that authorized starts over (the reference's UpdateInternalSession)
    await t.client.run("PolicyPCR", { handles: [s.handle], params: { pcrDigest: EMPTY, pcrs: PCRS_1_2 } });

    await t.client.run("PCR_Extend", { handles: [7], auths: [pw()], params: { digests: [{ hashAlg: TPM_ALG.SHA256, digest: Buffer.alloc(32, 7) }] } });
    expect((await read()).rc).to.equal(TPM_RC.PCR_CHANGED);
    const again = await t.client.call("PolicyPCR", { handles: [s.handle], params: { pcrDigest: EMPTY, pcrs: PCRS_1_2 } });
    expect(again.rc).to.equal(TPM_RC.PCR_CHANGED);
  });

  it("leaves out PCRs of a bank that is not allocated", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const sha384 = [{ hash: TPM_ALG.SHA384, pcrSelect: Buffer.from([0x06, 0, 0]) }];
    await t.client.run("PolicyPCR", { handles: [s.handle], params: { pcrDigest: EMPTY, pcrs: sha384 } });
    const filtered = [{ hash: TPM_ALG.SHA384, pcrSelect: Buffer.alloc(3) }];
    const expected = sha256(Buffer.alloc(32), u32(TPM_CC.PolicyPCR), marshal(TPML_PCR_SELECTION, filtered), sha256());
    expect(await digestOf(s.handle)).to.deep.equal(expected);
  });

  it("in a trial session takes the caller's pcrDigest as given", async () => {
    const s = await t.client.startSession({ type: "trial" });
    const pcrDigest = Buffer.alloc(32, 0xab);
    await t.client.run("PolicyPCR", { handles: [s.handle], params: { pcrDigest, pcrs: PCRS_1_2 } });
    const expected = sha256(Buffer.alloc(32), u32(TPM_CC.PolicyPCR), marshal(TPML_PCR_SELECTION, PCRS_1_2), pcrDigest);
    expect(await digestOf(s.handle)).to.deep.equal(expected);
  });
});
