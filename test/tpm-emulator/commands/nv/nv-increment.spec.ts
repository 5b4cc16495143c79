import { expect } from "chai";
import { TPM_NT, TPM_RC, TPM_RH, TPMA_NV } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, OWNER_RW, atHandle, atParameter, attributesOf, define, nvCall, nvPublic, ofType, read, readU64, write } from "./support.js";

const COUNTER = 0x01500020;

describe("TPM2_NV_Increment", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    expect((await define(t, TPM_RH.OWNER, nvPublic(COUNTER, ofType(TPM_NT.COUNTER, OWNER_RW), 8), Buffer.from("c"))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("counts up from 1 on a new TPM, as an 8-octet big-endian value, and marks the counter written", async () => {
    expect((await read(t, TPM_RH.OWNER, COUNTER, 8)).rc).to.equal(TPM_RC.NV_UNINITIALIZED);
    expect((await nvCall(t, "NV_Increment", TPM_RH.OWNER, COUNTER)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await readU64(t, COUNTER)).to.equal(1n);
    expect((await nvCall(t, "NV_Increment", COUNTER, COUNTER, "c")).rc).to.equal(TPM_RC.SUCCESS);
    expect(await readU64(t, COUNTER)).to.equal(2n);
    expect((await attributesOf(t, COUNTER)) & TPMA_NV.WRITTEN).to.equal(TPMA_NV.WRITTEN);
  });

  it("refuses an index that is not a counter (TPM_RC_ATTRIBUTES on handle 2) and TPM2_NV_Write on a counter", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(0x01500021, OWNER_RW, 8));
    expect((await nvCall(t, "NV_Increment", TPM_RH.OWNER, 0x01500021)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
    expect((await write(t, TPM_RH.OWNER, COUNTER, Buffer.alloc(8))).rc).to.equal(TPM_RC.ATTRIBUTES);
  });

  it("needs OWNERWRITE for owner authorization and honours write locks", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(0x01500022, ofType(TPM_NT.COUNTER, A.OWNERREAD | A.AUTHWRITE | A.WRITE_STCLEAR), 8));
    expect((await nvCall(t, "NV_Increment", TPM_RH.OWNER, 0x01500022)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
    expect((await nvCall(t, "NV_WriteLock", 0x01500022, 0x01500022)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await nvCall(t, "NV_Increment", 0x01500022, 0x01500022)).rc).to.equal(TPM_RC.NV_LOCKED);
  });

  it("defines counters only with 8 octets and without TPMA_NV_CLEAR_STCLEAR", async () => {
    expect((await define(t, TPM_RH.OWNER, nvPublic(0x01500023, ofType(TPM_NT.COUNTER, OWNER_RW), 4))).rc).to.equal(atParameter(TPM_RC.SIZE, 2));
    const clearing = ofType(TPM_NT.COUNTER, OWNER_RW | A.CLEAR_STCLEAR);
    expect((await define(t, TPM_RH.OWNER, nvPublic(0x01500023, clearing, 8))).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 2));
  });
});
