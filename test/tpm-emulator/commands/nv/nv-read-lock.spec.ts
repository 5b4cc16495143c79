import { expect } from "chai";
import { TPM_RC, TPM_RH, TPMA_NV } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, OWNER_RW, atHandle, attributesOf, define, nvCall, nvPublic, read, write } from "./support.js";

const LOCKABLE = 0x01500060;
const PLAIN = 0x01500061;

describe("TPM2_NV_ReadLock", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(LOCKABLE, OWNER_RW | A.READ_STCLEAR, 8));
    await define(t, TPM_RH.OWNER, nvPublic(PLAIN, OWNER_RW, 8));
  });

  it("locks a READ_STCLEAR index against reads but not writes; locking again succeeds", async () => {
    await write(t, TPM_RH.OWNER, LOCKABLE, Buffer.from("secret!!"));
    expect((await nvCall(t, "NV_ReadLock", TPM_RH.OWNER, LOCKABLE)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await read(t, TPM_RH.OWNER, LOCKABLE, 8)).rc).to.equal(TPM_RC.NV_LOCKED);
    expect((await write(t, TPM_RH.OWNER, LOCKABLE, Buffer.from("changed!"))).rc).to.equal(TPM_RC.SUCCESS);
    expect((await nvCall(t, "NV_ReadLock", TPM_RH.OWNER, LOCKABLE)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("locks an index that was never written", async () => {
    expect((await nvCall(t, "NV_ReadLock", TPM_RH.OWNER, LOCKABLE)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await attributesOf(t, LOCKABLE)) & TPMA_NV.READLOCKED).to.equal(TPMA_NV.READLOCKED);
  });

  it("refuses an index without READ_STCLEAR (TPM_RC_ATTRIBUTES on handle 2) and a reader without read rights", async () => {
    expect((await nvCall(t, "NV_ReadLock", TPM_RH.OWNER, PLAIN)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
    expect((await nvCall(t, "NV_ReadLock", TPM_RH.PLATFORM, LOCKABLE)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
  });
});
