import { TPM_ALG, TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, schemeHashAlg, selectSignScheme, signerAt } from "../../keys.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { filterSelection, pcrSelectionDigest } from "../pcr/pcr-banks.js";

/**
 * Part 3 §18.4 TPM2_Quote: a TPMS_QUOTE_INFO over the selected PCRs (digest with the signing scheme's hash),
 * signed by signHandle. A TPM_RH_NULL signer has no scheme, so no hash to digest the PCRs with: TPM_RC_SCHEME.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not a signing key), TPM_RC_SCHEME + P2 (scheme
 * incompatible with the key, both NULL, or no hash), TPM_RC_SCHEME / TPM_RC_VALUE (signing).
 */
export const quote = defineCommand("Quote", (tpm, { handles, params }) => {
  const signer = signerAt(tpm, handles[0]!, 1);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 1);
  const scheme = selectSignScheme(signer, params.inScheme, 2);
  const hashAlg = schemeHashAlg(scheme);
  if (hashAlg === TPM_ALG.NULL) throw paramError(TPM_RC.SCHEME, 2);
  // PCRComputeCurrentDigest: the selection filtered to what is implemented, echoed back as filtered
  const pcrSelect = params.PCRselect.map((selection) => filterSelection(tpm, selection));
  const attested = { pcrSelect, pcrDigest: pcrSelectionDigest(tpm, hashAlg, pcrSelect) };
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
    type: TPM_ST.ATTEST_QUOTE,
    attested,
  });
  return { response: { quoted: attestBytes, signature } };
});
