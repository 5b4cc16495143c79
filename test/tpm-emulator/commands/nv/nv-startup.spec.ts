import { expect } from "chai";
import { TPM_NT, TPMA_NV } from "../../../../tpm2/index.js";
import { startupAttributes } from "../../../../tpm-emulator/commands/nv/nv-startup.js";
import { applyNvStartup } from "../../../../tpm-emulator/commands/nv/index.js";
import type { PersistentState } from "../../../../tpm-emulator/state.js";
import { A, nvPublic, ofType } from "./support.js";

const W = TPMA_NV.WRITTEN;

describe("NV indices at TPM2_Startup (NvEntityStartup)", () => {
  it("clears read locks and WRITE_STCLEAR write locks on a TPM Reset or Restart", () => {
    const locked = A.READ_STCLEAR | A.READLOCKED | A.WRITE_STCLEAR | A.WRITELOCKED | W;
    for (const kind of ["reset", "restart"] as const) expect(startupAttributes(locked, kind)).to.equal((A.READ_STCLEAR | A.WRITE_STCLEAR | W) >>> 0);
  });

  it("keeps the write lock of a written WRITEDEFINE index, drops that of an unwritten one", () => {
    expect(startupAttributes(A.WRITEDEFINE | A.WRITELOCKED | W, "reset")).to.equal((A.WRITEDEFINE | A.WRITELOCKED | W) >>> 0);
    expect(startupAttributes(A.WRITEDEFINE | A.WRITELOCKED | A.GLOBALLOCK, "reset")).to.equal((A.WRITEDEFINE | A.GLOBALLOCK) >>> 0);
  });

  it("unwrites CLEAR_STCLEAR indices always and ORDERLY ones on a TPM Reset only, but never a counter", () => {
    expect(startupAttributes(A.CLEAR_STCLEAR | W, "restart") & W).to.equal(0);
    expect(startupAttributes(A.ORDERLY | W, "reset") & W).to.equal(0);
    expect(startupAttributes(A.ORDERLY | W, "restart") & W).to.equal(W);
    expect(startupAttributes(ofType(TPM_NT.COUNTER, A.ORDERLY | W), "reset") & W).to.equal(W);
  });

  it("changes nothing on a TPM Resume, and moves an orderly counter past any value lost in a disorderly shutdown", () => {
    const lockedIndex = { public: nvPublic(0x01500001, A.READ_STCLEAR | A.READLOCKED | W), authValue: Buffer.alloc(0), data: Buffer.alloc(32) };
    const counter = {
      public: nvPublic(0x01500002, ofType(TPM_NT.COUNTER, A.ORDERLY | W), 8),
      authValue: Buffer.alloc(0),
      data: Buffer.from("0000000000000105", "hex"),
    };
    const state = { nv: [lockedIndex, counter] } as unknown as PersistentState;
    applyNvStartup(state, "resume", false);
    expect(lockedIndex.public.attributes & A.READLOCKED).to.equal(A.READLOCKED);
    applyNvStartup(state, "reset", true);
    expect(Buffer.from(counter.data).toString("hex")).to.equal("0000000000000105");
    expect(lockedIndex.public.attributes & A.READLOCKED).to.equal(0);
    applyNvStartup(state, "reset", false);
    expect(Buffer.from(counter.data).toString("hex")).to.equal("00000000000001ff");
  });
});
