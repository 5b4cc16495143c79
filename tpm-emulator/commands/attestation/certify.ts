import { TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, keyAt, selectSignScheme, signerAt } from "../../keys.js";
import { defineCommand, handleError } from "../registry.js";

/**
 * Part 3 §18.2 TPM2_Certify: signHandle attests that objectHandle is loaded in this TPM (its Name and qualified
 * Name in a TPMS_CERTIFY_INFO). A TPM_RH_NULL signer gives an unsigned attestation.
 * RCs: TPM_RC_VALUE + H1/H2 (not an object), TPM_RC_KEY + H2 (not a signing key), TPM_RC_SCHEME + P2,
 * TPM_RC_SCHEME / TPM_RC_VALUE (signing).
 */
export const certify = defineCommand("Certify", (tpm, { handles, params }) => {
  const certified = keyAt(tpm, handles[0]!, 1);
  const signer = signerAt(tpm, handles[1]!, 2);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 2);
  const scheme = selectSignScheme(signer, params.inScheme, 2);
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
    type: TPM_ST.ATTEST_CERTIFY,
    attested: { name: certified.name, qualifiedName: certified.qualifiedName },
  });
  return { response: { certifyInfo: attestBytes, signature } };
});
