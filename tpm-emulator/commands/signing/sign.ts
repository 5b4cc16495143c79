import { TPM_RC, TPMA_OBJECT, digestSize } from "../../../tpm2/index.js";
import { isSigningObject, keyAt, schemeHashAlg, selectSignScheme, signDigest } from "../../keys.js";
import { isHashcheckTicketValid, isTicketHierarchy } from "../../tickets.js";
import { defineCommand, handleError, paramError } from "../registry.js";

/**
 * Part 3 §20.2 TPM2_Sign: signs a digest. A restricted key signs only digests TPM2_Hash vouched for with a
 * hash-check ticket (data that did not start with TPM_GENERATED, so nobody can forge an attestation with it); an
 * unrestricted key takes a NULL ticket, and then the digest must have the scheme hash's size. An ECDAA key signs with
 * the scheme the caller names, whose count picks the TPM2_Commit it completes (Part 1 Annex C).
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not a signing key), TPM_RC_ATTRIBUTES + H1 (x509sign
 * key), TPM_RC_SCHEME + P2, TPM_RC_VALUE + P3 (ticket hierarchy), TPM_RC_TICKET + P3, TPM_RC_SIZE + P1,
 * TPM_RC_SCHEME / TPM_RC_VALUE (signing; TPM_RC_VALUE also when the ECDAA count names no outstanding commitment).
 */
export const sign = defineCommand("Sign", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const { digest, validation } = params;
  if (!isTicketHierarchy(validation.hierarchy)) throw paramError(TPM_RC.VALUE, 3);
  if (!isSigningObject(key)) throw handleError(TPM_RC.KEY, 1);
  const attributes = key.publicArea.objectAttributes;
  if (attributes & TPMA_OBJECT.x509sign) throw handleError(TPM_RC.ATTRIBUTES, 1);
  const scheme = selectSignScheme(key, params.inScheme, 2);
  const hashAlg = schemeHashAlg(scheme);
  if (validation.digest.length !== 0 || attributes & TPMA_OBJECT.restricted) {
    if (!isHashcheckTicketValid(tpm, validation, hashAlg, digest)) throw paramError(TPM_RC.TICKET, 3);
  } else if (digest.length !== digestSize(hashAlg)) {
    throw paramError(TPM_RC.SIZE, 1);
  }
  return { response: { signature: signDigest(key, scheme, digest, tpm.commits) } };
});
