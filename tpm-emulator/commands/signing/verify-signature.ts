import { TPM_ALG, TPM_RC, TPM_RH, TPM_ST, TPMA_OBJECT, TpmError } from "../../../tpm2/index.js";
import { keyAt, verifySignature as checkSignature } from "../../keys.js";
import { nullTicket, verifiedTicket } from "../../tickets.js";
import { defineCommand, handleError, paramError } from "../registry.js";

/**
 * Part 3 §20.1 TPM2_VerifySignature: checks a signature over a digest with a loaded key and returns a verified
 * ticket (for TPM2_PolicyAuthorize); a NULL ticket when the key is in the null hierarchy or has no nameAlg.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_ATTRIBUTES + H1 (not a signing key), TPM_RC_SCHEME + P2 (NULL
 * or unsuitable signature algorithm), TPM_RC_SIGNATURE + P2 (does not verify), TPM_RC_HANDLE + P2 (HMAC check
 * with a public-only key).
 */
export const verifySignature = defineCommand("VerifySignature", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const { digest, signature } = params;
  // TPMT_SIGNATURE here is not "+NULL": the reference unmarshal code rejects TPM_ALG_NULL
  if (signature.sigAlg === TPM_ALG.NULL) throw paramError(TPM_RC.SCHEME, 2);
  if (!(key.publicArea.objectAttributes & TPMA_OBJECT.sign)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  try {
    checkSignature(key, digest, signature);
  } catch (e) {
    if (e instanceof TpmError) throw e.at("parameter", 2);
    throw e;
  }
  const validation =
    key.hierarchy === TPM_RH.NULL || key.publicArea.nameAlg === TPM_ALG.NULL
      ? nullTicket(TPM_ST.VERIFIED)
      : verifiedTicket(tpm, key.hierarchy, digest, key.name);
  return { response: { validation } };
});
