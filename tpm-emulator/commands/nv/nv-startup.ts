/**
 * What TPM2_Startup does to NV indices (Part 1 §37.? and the reference's NvEntityStartup / NvSetStartupAttributes).
 */
import { TPM_NT, TPMA_NV } from "../../../tpm2/index.js";
import type { PersistentState } from "../../state.js";
import { isNvType, readUint64, writeUint64 } from "./nv-access.js";

/** The kind of start-up: TPM Reset, TPM Restart (Shutdown(STATE) + Startup(CLEAR)) or TPM Resume. */
export type NvStartupKind = "reset" | "restart" | "resume";

/** The low bits of an orderly counter that a disorderly start-up sets (the reference's MAX_ORDERLY_COUNT). */
const MAX_ORDERLY_COUNT = 0xffn;

/**
 * NvSetStartupAttributes: read locks go; a non-counter index with TPMA_NV_CLEAR_STCLEAR (or an orderly one, on a
 * TPM Reset) becomes unwritten; a write lock stays only on a written TPMA_NV_WRITEDEFINE index.
 */
export function startupAttributes(attributes: number, kind: NvStartupKind): number {
  let a = attributes & ~TPMA_NV.READLOCKED;
  if (!isNvType(a, TPM_NT.COUNTER) && (a & TPMA_NV.CLEAR_STCLEAR || (a & TPMA_NV.ORDERLY && kind === "reset"))) {
    a &= ~TPMA_NV.WRITTEN;
  }
  if (!(a & TPMA_NV.WRITTEN) || !(a & TPMA_NV.WRITEDEFINE)) a &= ~TPMA_NV.WRITELOCKED;
  return a >>> 0;
}

/**
 * NvEntityStartup: on a TPM Reset or Restart every index gets its start-up attributes; after a disorderly
 * shutdown (`wasOrderly` false) an orderly counter jumps to its next multiple of 256 minus one, so it can never
 * repeat a value the TPM may have handed out after its last save. A TPM Resume changes nothing.
 */
export function applyNvStartup(state: PersistentState, kind: NvStartupKind, wasOrderly: boolean): void {
  if (kind === "resume") return;
  for (const index of state.nv) {
    const attributes = index.public.attributes;
    index.public.attributes = startupAttributes(attributes, kind);
    const orderlyCounter = attributes & TPMA_NV.ORDERLY && isNvType(attributes, TPM_NT.COUNTER);
    if (orderlyCounter && !wasOrderly && attributes & TPMA_NV.WRITTEN) writeUint64(index, readUint64(index) | MAX_ORDERLY_COUNT);
  }
}
