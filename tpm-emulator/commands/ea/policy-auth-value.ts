import { policyAuthValueDigest } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { policySessionAt } from "./policy-session.js";

/**
 * Part 3 §23.17 TPM2_PolicyAuthValue: the session's HMAC, when it authorizes, must include the entity's
 * authValue (this replaces an earlier TPM2_PolicyPassword).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session).
 */
export const policyAuthValue = defineCommand("PolicyAuthValue", (tpm, { handles }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  session.policyDigest = policyAuthValueDigest(session.authHash, session.policyDigest);
  session.isAuthValueNeeded = true;
  session.isPasswordNeeded = false;
  return NO_RESPONSE;
});
