import { TPM_RC, TPM_RH, TPM_ST, type TPMT_TK_HASHCHECK } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { hashcheckTicket, isTicketHierarchy, nullTicket } from "../../tickets.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { endSequence, isTicketSafe, sequenceOf } from "./sequence-objects.js";

/**
 * Part 3 §17.5 TPM2_SequenceComplete: adds the last data, returns the digest (or HMAC) and flushes the sequence.
 * A hash sequence gets a hash-check ticket for `hierarchy` when its first block was safe (at least 4 octets, not
 * starting with TPM_GENERATED_VALUE); an HMAC sequence and TPM_RH_NULL always get the NULL ticket.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_MODE + H1 (not a hash or HMAC sequence), TPM_RC_VALUE + P2
 * (hierarchy not a hierarchy).
 */
export const sequenceComplete = defineCommand("SequenceComplete", (tpm, { handles, params }) => {
  const handle = handles[0]!;
  const object = keyAt(tpm, handle, 1);
  const sequence = sequenceOf(tpm, object);
  if (!sequence || sequence.kind === "event") throw handleError(TPM_RC.MODE, 1);
  const { buffer, hierarchy } = params;
  if (!isTicketHierarchy(hierarchy)) throw paramError(TPM_RC.VALUE, 2);
  let result: Buffer;
  let validation: TPMT_TK_HASHCHECK = nullTicket(TPM_ST.HASHCHECK);
  if (sequence.kind === "hmac") {
    result = sequence.hmac.update(buffer).digest();
  } else {
    result = sequence.hash.update(buffer).digest();
    const safe = sequence.firstBlock ? sequence.ticketSafe : isTicketSafe(buffer);
    if (hierarchy !== TPM_RH.NULL && safe) validation = hashcheckTicket(tpm, hierarchy, sequence.hashAlg, result);
  }
  endSequence(tpm, handle, object);
  return { response: { result, validation } };
});
