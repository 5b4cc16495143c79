import { TPM_CC } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/**
 * Part 3 §23.9 TPM2_PolicyPhysicalPresence: authorization will need physical presence asserted.
 * Digest: H(old || TPM_CC_PolicyPhysicalPresence). RCs: TPM_RC_VALUE (handle 1 not a policy session).
 */
export const policyPhysicalPresence = defineCommand("PolicyPhysicalPresence", (tpm, { handles }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  extendPolicy(session, TPM_CC.PolicyPhysicalPresence);
  session.isPPRequired = true;
  return NO_RESPONSE;
});
