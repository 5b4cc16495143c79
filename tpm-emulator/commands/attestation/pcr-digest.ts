import { hashDigest, type TPML_PCR_SELECTION } from "../../../tpm2/index.js";
import { PCR_COUNT, type Tpm } from "../../tpm.js";

/**
 * PCRComputeCurrentDigest of the reference code (used by TPM2_Quote): the selection filtered to what is
 * implemented (bits of unallocated banks and of PCRs beyond PCR_COUNT cleared, sizes kept), and the digest with
 * `hashAlg` of the selected PCR values in selection order, each bank's PCRs in ascending order.
 */
export function quotePcrDigest(
  tpm: Tpm,
  hashAlg: number,
  selection: TPML_PCR_SELECTION,
): { pcrSelect: TPML_PCR_SELECTION; pcrDigest: Buffer } {
  const values: Buffer[] = [];
  const pcrSelect = selection.map(({ hash, pcrSelect: bits }) => {
    const bank = tpm.pcrs.get(hash);
    const filtered = Buffer.from(bits);
    for (let pcr = 0; pcr < filtered.length * 8; pcr++) {
      const byte = pcr >> 3;
      const mask = 1 << (pcr & 7);
      if (!(filtered[byte]! & mask)) continue;
      const value = pcr < PCR_COUNT ? bank?.[pcr] : undefined;
      if (value === undefined) filtered[byte] = filtered[byte]! & ~mask;
      else values.push(value);
    }
    return { hash, pcrSelect: filtered };
  });
  return { pcrSelect, pcrDigest: hashDigest(hashAlg, ...values) };
}
