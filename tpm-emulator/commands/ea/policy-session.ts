import { TPM_RC, TPM_SE } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { Tpm } from "../../tpm.js";
import { handleError } from "../registry.js";
import { checkPolicySessionHandle } from "../session/handle-types.js";

/**
 * The policy or trial session that handle `n` of a policy command names (Part 3 §23.1: the policySession handle
 * is a TPMI_SH_POLICY; an HMAC session there is TPM_RC_VALUE on that handle).
 */
export function policySessionAt(tpm: Tpm, handle: number, n: number): Session {
  checkPolicySessionHandle(handle, n);
  const session = tpm.sessions.loaded(handle);
  if (!session) throw handleError(TPM_RC.HANDLE, n);
  return session;
}

/** Part 3 §23.1: a trial session only computes the policy digest; its assertions are not checked. */
export function isTrialSession(session: Session): boolean {
  return session.type === TPM_SE.TRIAL;
}
