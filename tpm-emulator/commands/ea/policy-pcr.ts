import { TPM_RC, TPML_PCR_SELECTION, TpmError, marshal, policyPcrDigest } from "../../../tpm2/index.js";
import { filterSelection, pcrSelectionDigest } from "../pcr/pcr-banks.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";

/**
 * Part 3 §23.7 TPM2_PolicyPCR: the policy digest is extended with the selected PCRs and the digest of their current
 * values; a caller's pcrDigest must equal that digest. The session then remembers pcrUpdateCounter, so a PCR change
 * before the session is used fails it. A trial session takes the caller's pcrDigest when one is given.
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; parameter 1: pcrDigest does not match the PCRs),
 * TPM_RC_PCR_CHANGED (the PCRs changed since an earlier TPM2_PolicyPCR in this session).
 */
export const policyPcr = defineCommand("PolicyPCR", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const pcrs = params.pcrs.map((selection) => filterSelection(tpm, selection));
  let pcrDigest = pcrSelectionDigest(tpm, session.authHash, pcrs);
  const trial = isTrialSession(session);
  if (!trial) {
    if (session.pcrUpdateCounter !== undefined && session.pcrUpdateCounter !== tpm.pcrUpdateCounter) {
      throw new TpmError(TPM_RC.PCR_CHANGED);
    }
    if (params.pcrDigest.length !== 0 && Buffer.compare(params.pcrDigest, pcrDigest) !== 0) {
      throw paramError(TPM_RC.VALUE, 1);
    }
  } else if (params.pcrDigest.length !== 0) {
    pcrDigest = Buffer.from(params.pcrDigest);
  }
  session.policyDigest = policyPcrDigest(session.authHash, session.policyDigest, marshal(TPML_PCR_SELECTION, pcrs), pcrDigest);
  if (!trial) session.pcrUpdateCounter = tpm.pcrUpdateCounter;
  return NO_RESPONSE;
});
