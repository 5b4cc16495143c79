import { expect } from "chai";
import { TPM_NT, TPM_RC, TPM_RH, TPMA_NV, pw } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { A, OWNER_RW, atHandle, attributesOf, define, nvCall, nvPublic, ofType, read, write } from "./support.js";

const STCLEAR = 0x01500050;
const DEFINE = 0x01500051;
const PLAIN = 0x01500052;

describe("TPM2_NV_WriteLock and TPM2_NV_GlobalWriteLock", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
    await define(t, TPM_RH.OWNER, nvPublic(STCLEAR, OWNER_RW | A.WRITE_STCLEAR, 8));
    await define(t, TPM_RH.OWNER, nvPublic(DEFINE, OWNER_RW | A.WRITEDEFINE | A.GLOBALLOCK, 8));
    await define(t, TPM_RH.OWNER, nvPublic(PLAIN, OWNER_RW, 8));
  });

  it("locks a WRITE_STCLEAR index against writes; locking again succeeds; reads still work", async () => {
    await write(t, TPM_RH.OWNER, STCLEAR, Buffer.from("before!!"));
    expect((await nvCall(t, "NV_WriteLock", TPM_RH.OWNER, STCLEAR)).rc).to.equal(TPM_RC.SUCCESS);
    expect((await attributesOf(t, STCLEAR)) & TPMA_NV.WRITELOCKED).to.equal(TPMA_NV.WRITELOCKED);
    expect((await write(t, TPM_RH.OWNER, STCLEAR, Buffer.from("after!!!"))).rc).to.equal(TPM_RC.NV_LOCKED);
    expect((await nvCall(t, "NV_WriteLock", TPM_RH.OWNER, STCLEAR)).rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from((await read(t, TPM_RH.OWNER, STCLEAR, 8)).response!.data).toString()).to.equal("before!!");
  });

  it("refuses an index with neither WRITEDEFINE nor WRITE_STCLEAR (TPM_RC_ATTRIBUTES on handle 2)", async () => {
    expect((await nvCall(t, "NV_WriteLock", TPM_RH.OWNER, PLAIN)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 2));
  });

  it("needs write authorization: the platform cannot lock an owner index without PPWRITE", async () => {
    expect((await nvCall(t, "NV_WriteLock", TPM_RH.PLATFORM, STCLEAR)).rc).to.equal(TPM_RC.NV_AUTHORIZATION);
  });

  it("locks a counter too (its increment then fails)", async () => {
    await define(t, TPM_RH.OWNER, nvPublic(0x01500053, ofType(TPM_NT.COUNTER, OWNER_RW | A.WRITE_STCLEAR), 8));
    await nvCall(t, "NV_WriteLock", TPM_RH.OWNER, 0x01500053);
    expect((await nvCall(t, "NV_Increment", TPM_RH.OWNER, 0x01500053)).rc).to.equal(TPM_RC.NV_LOCKED);
  });

  it("TPM2_NV_GlobalWriteLock locks exactly the GLOBALLOCK indices", async () => {
    const r = await t.client.call("NV_GlobalWriteLock", { handles: [TPM_RH.OWNER], auths: [pw()], params: {} });
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect((await write(t, TPM_RH.OWNER, DEFINE, Buffer.alloc(8))).rc).to.equal(TPM_RC.NV_LOCKED);
    expect((await write(t, TPM_RH.OWNER, PLAIN, Buffer.alloc(8))).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("TPM2_NV_GlobalWriteLock takes owner or platform authorization only", async () => {
    const r = await t.client.call("NV_GlobalWriteLock", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: {} });
    expect(r.rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
