/**
 * The deferred assertion of TPM2_PolicyNvWritten (Part 3 §23.20): a policy session that carries it may only
 * authorize an NV index whose TPMA_NV_WRITTEN is in the asserted state. Kept per session, as the policy timeouts are.
 */
import { TPM_HT, TPM_RC, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { Tpm } from "../../tpm.js";

const writtenStates = new WeakMap<Session, boolean>();

/** Records that the session may only authorize an index whose WRITTEN attribute equals `written`. */
export function requireNvWritten(session: Session, written: boolean): void {
  writtenStates.set(session, written);
}

/** The WRITTEN state a session asserted with TPM2_PolicyNvWritten, if it did. */
export function nvWrittenRequirement(session: Session): boolean | undefined {
  return writtenStates.get(session);
}

/** TPM2_PolicyRestart: the session asserts nothing about NV any more. */
export function clearNvWrittenRequirement(session: Session): void {
  writtenStates.delete(session);
}

/**
 * The reference's check in CheckPolicyAuthSession: a session with the assertion that authorizes anything other than
 * an NV index, or an index whose WRITTEN attribute differs, fails with TPM_RC_POLICY_FAIL on that session.
 * @param sessionNumber the session's position in the authorization area (1-based).
 */
export function checkNvWrittenPolicy(tpm: Tpm, session: Session | undefined, handle: number, sessionNumber: number): void {
  if (!session) return;
  const wanted = writtenStates.get(session);
  if (wanted === undefined) return;
  const index = handle >>> 24 === TPM_HT.NV_INDEX ? tpm.nvIndex(handle) : undefined;
  const written = index !== undefined && (index.public.attributes & TPMA_NV.WRITTEN) !== 0;
  if (!index || written !== wanted) throw new TpmError(TPM_RC.POLICY_FAIL).at("session", sessionNumber);
}

/** Applies {@link checkNvWrittenPolicy} to every handle a policy session authorized. */
export function checkNvWrittenPolicies(tpm: Tpm, handles: readonly number[], sessions: readonly (Session | undefined)[]): void {
  sessions.forEach((session, i) => checkNvWrittenPolicy(tpm, session, handles[i]!, i + 1));
}
