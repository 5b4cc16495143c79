import { expect } from "chai";
import { TPM_NT, TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { OWNER_RW, atHandle, define, nvPublic, ofType, readU64 } from "./support.js";

const BITS = 0x01500040;

function setBits(t: StartedTpm, index: number, bits: bigint) {
  return t.client.call("NV_SetBits", { handles: [TPM_RH.OWNER, index], auths: [pw()], params: { bits } });
}

describe("TPM2_NV_SetBits", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("ORs bits into a bit field that starts at zero; bits once set stay set", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(BITS, ofType(TPM_NT.BITS, OWNER_RW), 8))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await setBits(t, BITS, 0x1n)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await readU64(t, BITS)).to.equal(0x1n);
    await setBits(t, BITS, 0x8000000000000100n);
    await setBits(t, BITS, 0n);
    expect(await readU64(t, BITS)).to.equal(0x8000000000000101n);
  });

  it("refuses an index that is not a bit field (TPM_RC_ATTRIBUTES on handle 2)", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(BITS, ofType(TPM_NT.COUNTER, OWNER_RW), 8));
    expect((await setBits(t, BITS, 1n)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
  });
});
