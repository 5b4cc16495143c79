import { TPM_RC } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isTicketSafe, sequenceOf } from "./sequence-objects.js";

/**
 * Part 3 §17.4 TPM2_SequenceUpdate: adds data to a hash, HMAC or event sequence. The first block of a hash
 * sequence decides whether its digest may get a hash-check ticket.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_MODE + P1 (not a sequence object: libtpms numbers it as a
 * parameter, unlike the other sequence commands).
 */
export const sequenceUpdate = defineCommand("SequenceUpdate", (tpm, { handles, params }) => {
  const sequence = sequenceOf(tpm, keyAt(tpm, handles[0]!, 1));
  if (!sequence) throw paramError(TPM_RC.MODE, 1);
  switch (sequence.kind) {
    case "event":
      for (const { hash } of sequence.hashes) hash.update(params.buffer);
      break;
    case "hmac":
      sequence.hmac.update(params.buffer);
      break;
    case "hash":
      if (!sequence.firstBlock) {
        sequence.firstBlock = true;
        sequence.ticketSafe = isTicketSafe(params.buffer);
      }
      sequence.hash.update(params.buffer);
  }
  return NO_RESPONSE;
});
