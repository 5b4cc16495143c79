import { defineCommand } from "../registry.js";
import { filterSelection, pcrValue, selectedPcrs } from "./pcr-banks.js";

/** A TPML_DIGEST holds at most eight digests (Part 2 §10.9.3). */
const MAX_PCR_VALUES = 8;

/**
 * Part 3 §22.4 TPM2_PCR_Read: the selected PCR values of allocated banks. Selections for unallocated banks or
 * PCRs come back cleared; beyond eight values the remaining selected PCRs are cleared from pcrSelectionOut, so the
 * caller can ask again for the rest. No failure RCs beyond unmarshalling.
 */
export const pcrRead = defineCommand("PCR_Read", (tpm, { params }) => {
  const pcrValues: Buffer[] = [];
  const pcrSelectionOut = params.pcrSelectionIn.map((selection) => {
    const filtered = filterSelection(tpm, selection);
    for (const pcr of selectedPcrs(filtered.pcrSelect)) {
      const value = pcrValue(tpm, filtered.hash, pcr);
      if (value && pcrValues.length < MAX_PCR_VALUES) pcrValues.push(Buffer.from(value));
      else filtered.pcrSelect[pcr >> 3] = (filtered.pcrSelect[pcr >> 3] ?? 0) & ~(1 << (pcr & 7));
    }
    return filtered;
  });
  return { response: { pcrUpdateCounter: tpm.pcrUpdateCounter, pcrSelectionOut, pcrValues } };
});
