import { policyPasswordDigest } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { policySessionAt } from "./policy-session.js";

/**
 * Part 3 §23.18 TPM2_PolicyPassword: the session, when it authorizes, carries the entity's authValue in the clear
 * in place of an HMAC. The digest is the one of TPM2_PolicyAuthValue (which it replaces).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session).
 */
export const policyPassword = defineCommand("PolicyPassword", (tpm, { handles }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  session.policyDigest = policyPasswordDigest(session.authHash, session.policyDigest);
  session.isPasswordNeeded = true;
  session.isAuthValueNeeded = false;
  return NO_RESPONSE;
});
