import { hmac as computeHmac } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";
import { hmacKeyAt } from "./hmac-key.js";

/**
 * Part 3 §15.5 TPM2_HMAC: HMAC of the buffer with the secret of an unrestricted keyed-hash signing key.
 * RCs: those of {@link hmacKeyAt}: TPM_RC_TYPE / TPM_RC_ATTRIBUTES / TPM_RC_KEY + H1, TPM_RC_VALUE + P2.
 */
export const hmac = defineCommand("HMAC", (tpm, { handles, params }) => {
  const { key, hashAlg } = hmacKeyAt(tpm, handles[0]!, params.hashAlg, 2);
  return { response: { outHMAC: computeHmac(hashAlg, key.sensitive!.sensitive, params.buffer) } };
});
