import { resetPolicy } from "../../sessions.js";
import { clearNvWrittenRequirement } from "../nv/index.js";
import { policySessionAt } from "../ea/policy-session.js";
import { clearPolicyTimeout } from "../ea/policy-timeout.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §11.2 TPM2_PolicyRestart: the policy session goes back to its initial state (a zero policyDigest, no
 * deferred assertions, no timeout) without a new session being started.
 * RCs: TPM_RC_VALUE (handle 1 is not a policy session).
 */
export const policyRestart = defineCommand("PolicyRestart", (tpm, { handles }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  resetPolicy(session);
  clearNvWrittenRequirement(session);
  clearPolicyTimeout(session);
  return NO_RESPONSE;
});
