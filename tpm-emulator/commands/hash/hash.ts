import { TPM_GENERATED_VALUE, TPM_RC, TPM_RH, TPM_ST, hashDigest } from "../../../tpm2/index.js";
import { hashcheckTicket, isTicketHierarchy, nullTicket } from "../../tickets.js";
import { defineCommand, paramError } from "../registry.js";

/** Part 2 §10.7.6 / TicketIsSafe: data starting with TPM_GENERATED_VALUE could be a forged TPMS_ATTEST. */
function startsWithGenerated(data: Uint8Array): boolean {
  return data.length >= 4 && Buffer.from(data.buffer, data.byteOffset, 4).readUInt32BE(0) === TPM_GENERATED_VALUE;
}

/**
 * Part 3 §15.4 TPM2_Hash: the digest of the data, with a hash-check ticket for `hierarchy` that lets a restricted
 * key sign it — a NULL ticket when the hierarchy is TPM_RH_NULL or the data starts with TPM_GENERATED_VALUE.
 * RCs: TPM_RC_HASH + P2 (by unmarshal), TPM_RC_VALUE + P3 (not a hierarchy).
 */
export const hash = defineCommand("Hash", (tpm, { params }) => {
  const { data, hashAlg, hierarchy } = params;
  if (!isTicketHierarchy(hierarchy)) throw paramError(TPM_RC.VALUE, 3);
  const outHash = hashDigest(hashAlg, data);
  const validation =
    hierarchy === TPM_RH.NULL || startsWithGenerated(data)
      ? nullTicket(TPM_ST.HASHCHECK)
      : hashcheckTicket(tpm, hierarchy, hashAlg, outHash);
  return { response: { outHash, validation } };
});
