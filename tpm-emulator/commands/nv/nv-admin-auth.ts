/**
 * The ADMIN role on an NV index (Part 1 §19.7.? / the reference's IsPolicySessionRequired and
 * CheckPolicyAuthSession): only a policy session can give it, and that policy must name the command.
 */
import { TPM_RC, TpmError } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";

/**
 * Checks the session that authorized an ADMIN-role NV handle: no policy session (password or HMAC) is
 * TPM_RC_AUTH_TYPE; a policy without TPM2_PolicyCommandCode is TPM_RC_POLICY_FAIL on that session.
 * @param sessionNumber the session's position in the authorization area (1-based).
 */
export function checkAdminPolicy(session: Session | undefined, sessionNumber: number): void {
  if (!session) throw new TpmError(TPM_RC.AUTH_TYPE);
  if (session.commandCode === undefined) throw new TpmError(TPM_RC.POLICY_FAIL).at("session", sessionNumber);
}
