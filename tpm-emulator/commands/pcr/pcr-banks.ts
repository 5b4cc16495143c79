/**
 * PCR banks (Part 1 §17): selections filtered to what is allocated, reading and digesting the selected values,
 * extending, and the pcrUpdateCounter that policy sessions watch.
 */
import { HASH_ALGS, hashDigest, type TPMS_PCR_SELECTION } from "../../../tpm2/index.js";
import { PCR_COUNT, type Tpm } from "../../tpm.js";
import { changeCountsAsUpdate } from "./pcr-attributes.js";

/** Octets of a full PCR bitmap (TPM_PT_PCR_SELECT_MIN). */
export const PCR_SELECT_SIZE = Math.ceil(PCR_COUNT / 8);

/**
 * The selection with only the PCRs that exist in an allocated bank left set (the reference's FilterPcr): an
 * unallocated bank keeps its entry with every bit clear, so callers see which banks they asked for.
 */
export function filterSelection(tpm: Tpm, selection: TPMS_PCR_SELECTION): TPMS_PCR_SELECTION {
  const allocated = tpm.pcrs.has(selection.hash);
  const pcrSelect = Buffer.from(selection.pcrSelect);
  for (let i = 0; i < pcrSelect.length; i++) {
    const implemented = i * 8 >= PCR_COUNT ? 0 : 0xff >> Math.max(0, i * 8 + 8 - PCR_COUNT);
    pcrSelect[i] = allocated ? (pcrSelect[i] ?? 0) & implemented : 0;
  }
  return { hash: selection.hash, pcrSelect };
}

/** The PCR numbers set in a TPMS_PCR_SELECT bitmap, ascending. */
export function selectedPcrs(pcrSelect: Uint8Array): number[] {
  const out: number[] = [];
  for (let pcr = 0; pcr < pcrSelect.length * 8; pcr++) if ((pcrSelect[pcr >> 3] ?? 0) & (1 << (pcr & 7))) out.push(pcr);
  return out;
}

/** The current value of PCR `pcr` in the bank of `alg`, or undefined when that bank is not allocated. */
export function pcrValue(tpm: Tpm, alg: number, pcr: number): Buffer | undefined {
  return tpm.pcrs.get(alg)?.[pcr];
}

/**
 * The digest of the selected PCR values that TPM2_PolicyPCR and TPM2_Quote use (Part 3 §23.7, §18.4): H_hashAlg of
 * the values concatenated, selection by selection, each in ascending PCR order. `selections` must be filtered.
 */
export function pcrSelectionDigest(tpm: Tpm, hashAlg: number, selections: readonly TPMS_PCR_SELECTION[]): Buffer {
  const values: Buffer[] = [];
  for (const selection of selections) {
    for (const pcr of selectedPcrs(selection.pcrSelect)) {
      const value = pcrValue(tpm, selection.hash, pcr);
      if (value) values.push(value);
    }
  }
  return hashDigest(hashAlg, ...values);
}

/** Records that PCR `pcr` changed: pcrUpdateCounter moves unless the PCR is in the no-increment group. */
export function notePcrChange(tpm: Tpm, pcr: number): void {
  if (changeCountsAsUpdate(pcr)) tpm.pcrUpdateCounter = (tpm.pcrUpdateCounter + 1) >>> 0;
}

/** Part 1 §17.4: PCR_new = H_alg(PCR_old || data), in the bank of `alg` when it is allocated (else nothing). */
export function extendPcr(tpm: Tpm, pcr: number, alg: number, data: Uint8Array): void {
  const bank = tpm.pcrs.get(alg);
  const old = bank?.[pcr];
  if (!bank || !old) return;
  bank[pcr] = hashDigest(alg, old, data);
  notePcrChange(tpm, pcr);
}

/**
 * The PCR allocation as TPM2_GetCapability(TPM_CAP_PCRS) reports it: one entry per implemented hash, all PCRs
 * selected in an allocated bank and none in the others.
 */
export function pcrAllocation(tpm: Tpm): TPMS_PCR_SELECTION[] {
  return HASH_ALGS.map((hash) => ({
    hash,
    pcrSelect: tpm.pcrs.has(hash) ? filterSelection(tpm, { hash, pcrSelect: Buffer.alloc(PCR_SELECT_SIZE, 0xff) }).pcrSelect : Buffer.alloc(PCR_SELECT_SIZE),
  }));
}
