import { TPM_CC, TPM_RC, emptyPolicyDigest } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/**
 * Part 3 §23.6 TPM2_PolicyOR: when the current policyDigest is one of the 2 to 8 branches (any, for a trial
 * session), it becomes H(0…0 || TPM_CC_PolicyOR || branch_1 || … || branch_n).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; P1: no branch matches), TPM_RC_SIZE (P1: fewer than 2 or more
 * than 8 digests).
 */
export const policyOr = defineCommand("PolicyOR", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const branches = params.pHashList;
  if (branches.length < 2) throw paramError(TPM_RC.SIZE, 1);
  const matches = isTrialSession(session) || branches.some((d) => Buffer.compare(d, session.policyDigest) === 0);
  if (!matches) throw paramError(TPM_RC.VALUE, 1);
  session.policyDigest = emptyPolicyDigest(session.authHash);
  extendPolicy(session, TPM_CC.PolicyOR, ...branches);
  return NO_RESPONSE;
});
