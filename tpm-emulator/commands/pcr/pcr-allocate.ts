import { HASH_ALGS, TPM_ALG, TPM_RC, TpmError, digestSize, type TPMS_PCR_SELECTION } from "../../../tpm2/index.js";
import { PCR_COUNT, type Tpm } from "../../tpm.js";
import { defineCommand, paramError } from "../registry.js";
import { PCR_SELECT_SIZE, pcrAllocation, selectedPcrs } from "./pcr-banks.js";

/** The banks this TPM can allocate. */
const ALLOCATABLE: ReadonlySet<number> = new Set([TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384]);

/** Part 1 §17.? the DRTM PCR: every allocation must keep it in some bank. */
const DRTM_PCR = 17;

/** The allocation the next Startup(CLEAR) will apply (the current one when none is pending). */
export function nextPcrAllocation(tpm: Tpm): TPMS_PCR_SELECTION[] {
  return tpm.state.pendingPcrAllocation ?? pcrAllocation(tpm);
}

/**
 * Applies a pending allocation (called once a Startup(CLEAR) has run): a bank with any PCR selected is allocated,
 * with every PCR at its initial value; the others are gone.
 */
export function applyPendingPcrAllocation(tpm: Tpm): void {
  const next = tpm.state.pendingPcrAllocation;
  if (!next) return;
  tpm.state.pendingPcrAllocation = undefined;
  tpm.state.pcrBanks = next
    .filter((s) => selectedPcrs(s.pcrSelect).length > 0)
    .map((s) => s.hash)
    .sort((a, b) => a - b);
  tpm.resetPcrs();
}

/**
 * Part 3 §22.5 TPM2_PCR_Allocate: the PCR banks to have after the next Startup(CLEAR). A bank left out of the
 * request keeps its current allocation; the last entry for a bank wins. Every allocation must keep the DRTM PCR.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_PLATFORM), TPM_RC_HASH (P1: a bank this TPM cannot allocate), TPM_RC_PCR (no
 * bank would hold the DRTM PCR).
 */
export const pcrAllocate = defineCommand(
  "PCR_Allocate",
  (tpm, { params }) => {
    const next = nextPcrAllocation(tpm).map((s) => ({ hash: s.hash, pcrSelect: Buffer.from(s.pcrSelect) }));
    for (const selection of params.pcrAllocation) {
      if (!ALLOCATABLE.has(selection.hash)) throw paramError(TPM_RC.HASH, 1);
      const pcrSelect = Buffer.alloc(PCR_SELECT_SIZE);
      Buffer.from(selection.pcrSelect).copy(pcrSelect, 0, 0, PCR_SELECT_SIZE);
      const entry = next.find((s) => s.hash === selection.hash);
      if (entry) entry.pcrSelect = pcrSelect;
      else next.push({ hash: selection.hash, pcrSelect });
    }
    if (!next.some((s) => selectedPcrs(s.pcrSelect).includes(DRTM_PCR))) throw new TpmError(TPM_RC.PCR);
    let sizeNeeded = 0;
    for (const s of next) sizeNeeded += selectedPcrs(s.pcrSelect).length * (HASH_ALGS.includes(s.hash) ? digestSize(s.hash) : 0);
    tpm.state.pendingPcrAllocation = next;
    const sizeAvailable = PCR_COUNT * [...ALLOCATABLE].reduce((sum, alg) => sum + digestSize(alg), 0);
    return { response: { allocationSuccess: true, maxPCR: PCR_COUNT, sizeNeeded, sizeAvailable } };
  },
  { writesNv: true },
);
