import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPM_CC, TPM_EO, TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { OWNER_RW, atParameter, define, nvPublic, write } from "../nv/support.js";
import { startedTpm, u32, type StartedTpm } from "../session/support.js";

const INDEX = 0x015000a0;
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest();
const u16 = (v: number) => Buffer.from([v >> 8, v & 0xff]);

/** Part 3 §23.9: H(old || TPM_CC_PolicyNV || H(operandB || offset || operation) || nvName). */
function expectedDigest(old: Buffer, operandB: Buffer, offset: number, operation: number, name: Buffer): Buffer {
  return sha256(old, u32(TPM_CC.PolicyNV), sha256(operandB, u16(offset), u16(operation)), name);
}

describe("TPM2_PolicyNV", () => {
  let t: StartedTpm;
  let name: Buffer;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(INDEX, OWNER_RW, 8));
    await write(t, TPM_RH.OWNER, INDEX, Buffer.from("0000000000000010", "hex"));
    name = Buffer.from((await t.client.run("NV_ReadPublic", { handles: [INDEX], params: {} })).nvName);
  });

  async function policyNv(session: number, operandB: Buffer, offset: number, operation: number) {
    return t.client.call("PolicyNV", { handles: [TPM_RH.OWNER, INDEX, session], auths: [pw()], params: { operandB, offset, operation } });
  }

  it("extends the digest when the comparison holds, as computed independently", async () => {
    const s = await t.client.startSession({ type: "policy" });
    const operandB = Buffer.from("0f", "hex");
    expect((await policyNv(s.handle, operandB, 7, TPM_EO.UNSIGNED_GT)).rc).to.equal(TPM_RC.SUCCESS);
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(expectedDigest(Buffer.alloc(32), operandB, 7, TPM_EO.UNSIGNED_GT, name));
  });

  it("evaluates each comparison on the NV data (signed, unsigned, bits)", async () => {
    const cases: [number, string, number, boolean][] = [
      [TPM_EO.EQ, "0000000000000010", 0, true],
      [TPM_EO.NEQ, "10", 7, false],
      [TPM_EO.SIGNED_GT, "ff", 7, true],
      [TPM_EO.UNSIGNED_GT, "ff", 7, false],
      [TPM_EO.SIGNED_LT, "11", 7, true],
      [TPM_EO.UNSIGNED_GE, "10", 7, true],
      [TPM_EO.SIGNED_LE, "80", 7, false],
      [TPM_EO.UNSIGNED_LE, "0f", 7, false],
      [TPM_EO.BITSET, "10", 7, true],
      [TPM_EO.BITCLEAR, "01", 7, true],
      [TPM_EO.BITCLEAR, "10", 7, false],
    ];
    for (const [operation, b, offset, holds] of cases) {
      const s = await t.client.startSession({ type: "policy" });
      const rc = (await policyNv(s.handle, Buffer.from(b, "hex"), offset, operation)).rc;
      expect(rc, `operation ${operation} with ${b}`).to.equal(holds ? TPM_RC.SUCCESS : TPM_RC.POLICY);
      await t.client.flush(s.handle);
    }
  });

  it("compares two negative operands as the reference does (unsigned order reversed), as libtpms and tpm2-tools expect", async () => {
    await write(t, TPM_RH.OWNER, INDEX, Buffer.from("81", "hex"));
    const cases: [number, string, boolean][] = [
      [TPM_EO.SIGNED_GT, "82", true],
      [TPM_EO.SIGNED_LT, "80", true],
      [TPM_EO.SIGNED_GE, "82", true],
      [TPM_EO.SIGNED_LE, "80", true],
      [TPM_EO.SIGNED_GT, "80", false],
      [TPM_EO.SIGNED_GT, "01", false],
    ];
    for (const [operation, b, holds] of cases) {
      const s = await t.client.startSession({ type: "policy" });
      const rc = (await policyNv(s.handle, Buffer.from(b, "hex"), 0, operation)).rc;
      expect(rc, `operation ${operation} with ${b}`).to.equal(holds ? TPM_RC.SUCCESS : TPM_RC.POLICY);
      await t.client.flush(s.handle);
    }
  });

  it("in a trial session only computes the digest, even when the comparison is false", async () => {
    const s = await t.client.startSession({ type: "trial" });
    const operandB = Buffer.from("ff", "hex");
    expect((await policyNv(s.handle, operandB, 0, TPM_EO.EQ)).rc).to.equal(TPM_RC.SUCCESS);
    const digest = (await t.client.run("PolicyGetDigest", { handles: [s.handle], params: {} })).policyDigest;
    expect(Buffer.from(digest)).to.deep.equal(expectedDigest(Buffer.alloc(32), operandB, 0, TPM_EO.EQ, name));
  });

  it("refuses an unknown operation, an offset beyond the index and an operand reaching past its end", async () => {
    const s = await t.client.startSession({ type: "policy" });
    expect((await policyNv(s.handle, Buffer.from("00", "hex"), 0, 0x000c)).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
    expect((await policyNv(s.handle, Buffer.from("00", "hex"), 9, TPM_EO.EQ)).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
    expect((await policyNv(s.handle, Buffer.alloc(4), 6, TPM_EO.EQ)).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
  });
});
