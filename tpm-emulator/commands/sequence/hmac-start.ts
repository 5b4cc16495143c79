import { defineCommand } from "../registry.js";
import { hmacKeyAt } from "../symmetric/hmac-key.js";
import { hmacSequence, startSequence } from "./sequence-objects.js";

/**
 * Part 3 §17.2 TPM2_HMAC_Start: an HMAC sequence object keyed with an unrestricted keyed-hash signing key.
 * RCs: TPM_RC_TYPE / TPM_RC_ATTRIBUTES / TPM_RC_KEY + H1, TPM_RC_VALUE + P2 (hash), TPM_RC_OBJECT_MEMORY.
 */
export const hmacStart = defineCommand("HMAC_Start", (tpm, { handles, params }) => {
  const { key, hashAlg } = hmacKeyAt(tpm, handles[0]!, params.hashAlg, 2);
  const handle = startSequence(tpm, params.auth, hmacSequence(hashAlg, key.sensitive!.sensitive));
  return { handle, response: {} };
});
