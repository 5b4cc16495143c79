import { TPM_ALG } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";
import { eventSequence, hashSequence, startSequence } from "./sequence-objects.js";

/**
 * Part 3 §17.3 TPM2_HashSequenceStart: a hash sequence object for hashAlg, or an event sequence (every
 * implemented hash at once) for TPM_ALG_NULL, authorized by `auth`.
 * RCs: TPM_RC_HASH + P2 (by unmarshal), TPM_RC_OBJECT_MEMORY.
 */
export const hashSequenceStart = defineCommand("HashSequenceStart", (tpm, { params }) => {
  const sequence = params.hashAlg === TPM_ALG.NULL ? eventSequence() : hashSequence(params.hashAlg);
  return { handle: startSequence(tpm, params.auth, sequence), response: {} };
});
