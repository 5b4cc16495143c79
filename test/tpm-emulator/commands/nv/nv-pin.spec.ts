import { expect } from "chai";
import { TPM_NT, TPM_RC, TPM_RH } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, atParameter, atSession, define, nvPublic, ofType, read, write } from "./support.js";

const PIN_FAIL = 0x01500030;
const PIN_PASS = 0x01500031;
const PIN = Buffer.from("1234");

/** TPMS_NV_PIN_COUNTER_PARAMETERS: pinCount || pinLimit. */
function pinData(count: number, limit: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(count, 0);
  b.writeUInt32BE(limit, 4);
  return b;
}

async function pinCount(t: StartedTpm, index: number): Promise<number> {
  return Buffer.from((await read(t, TPM_RH.OWNER, index, 8)).response!.data).readUInt32BE(0);
}

describe("PIN Pass and PIN Fail indices (Part 2 §13.4)", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  it("PIN Fail: a wrong PIN counts, a right one starts over, and at pinLimit the PIN is no longer accepted", async () => {
    const attributes = ofType(TPM_NT.PIN_FAIL, A.OWNERREAD | A.OWNERWRITE | A.AUTHREAD | A.NO_DA);
    expect((await define(t, TPM_RH.OWNER, nvPublic(PIN_FAIL, attributes, 8), PIN)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await write(t, TPM_RH.OWNER, PIN_FAIL, pinData(0, 2))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await read(t, PIN_FAIL, PIN_FAIL, 8, 0, "wrong")).rc).to.equal(atSession(TPM_RC.BAD_AUTH, 1));
    expect(await pinCount(t, PIN_FAIL)).to.equal(1);
    expect((await read(t, PIN_FAIL, PIN_FAIL, 8, 0, PIN)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await pinCount(t, PIN_FAIL)).to.equal(0);
    await read(t, PIN_FAIL, PIN_FAIL, 8, 0, "wrong");
    await read(t, PIN_FAIL, PIN_FAIL, 8, 0, "wrong");
    expect((await read(t, PIN_FAIL, PIN_FAIL, 8, 0, PIN)).rc).to.equal(TPM_RC.AUTH_UNAVAILABLE);
  });

  it("PIN Pass: each good use counts, until pinLimit", async () => {
    const attributes = ofType(TPM_NT.PIN_PASS, A.OWNERREAD | A.OWNERWRITE | A.AUTHREAD);
    await define(t, TPM_RH.OWNER, nvPublic(PIN_PASS, attributes, 8), PIN);
    expect((await read(t, PIN_PASS, PIN_PASS, 8, 0, PIN)).rc, "not written yet").to.equal(TPM_RC.AUTH_UNAVAILABLE);
    await write(t, TPM_RH.OWNER, PIN_PASS, pinData(0, 2));
    expect((await read(t, PIN_PASS, PIN_PASS, 8, 0, PIN)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await read(t, PIN_PASS, PIN_PASS, 8, 0, PIN)).rc).to.equal(TPM_RC.SUCCESS);
    expect(await pinCount(t, PIN_PASS)).to.equal(2);
    expect((await read(t, PIN_PASS, PIN_PASS, 8, 0, PIN)).rc).to.equal(TPM_RC.AUTH_UNAVAILABLE);
  });

  it("refuses a PIN index of another size, with AUTHWRITE, or a PIN Fail index without NO_DA", async () => {
    const pass = ofType(TPM_NT.PIN_PASS, A.OWNERREAD | A.OWNERWRITE);
    expect((await define(t, TPM_RH.OWNER, nvPublic(PIN_PASS, pass, 4))).rc).to.equal(atParameter(TPM_RC.SIZE, 2));
    expect((await define(t, TPM_RH.OWNER, nvPublic(PIN_PASS, pass | A.AUTHWRITE, 8))).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 2));
    const fail = ofType(TPM_NT.PIN_FAIL, A.OWNERREAD | A.OWNERWRITE);
    expect((await define(t, TPM_RH.OWNER, nvPublic(PIN_FAIL, fail, 8))).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 2));
  });
});
