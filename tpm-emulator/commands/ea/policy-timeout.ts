/**
 * Policy session timing (Part 3 §23.3, §23.4): when the session started and the earliest expiration any
 * TPM2_PolicySigned/PolicySecret/PolicyTicket has set, in TPM Time (ms since the last TPM Reset).
 */
import type { Session } from "../../sessions.js";

/** Records the TPM Time at which a policy session started (TPM2_StartAuthSession). */
export function recordSessionStart(session: Session, time: bigint): void {
  session.startTime = time;
  session.timeout = undefined;
}

/** The TPM Time the session started at, if it was started by TPM2_StartAuthSession since the last TPM Reset. */
export function sessionStartTime(session: Session): bigint | undefined {
  return session.startTime;
}

/** The time after which the policy session may no longer authorize, if a policy command set one. */
export function policyTimeout(session: Session): bigint | undefined {
  return session.timeout;
}

/** As the reference's PolicyContextUpdate: a new timeout only ever brings the expiration closer. */
export function restrictPolicyTimeout(session: Session, timeout: bigint): void {
  if (timeout === 0n) return;
  if (session.timeout === undefined || session.timeout > timeout) session.timeout = timeout;
}

/** TPM2_PolicyRestart: no timeout any more. */
export function clearPolicyTimeout(session: Session): void {
  session.timeout = undefined;
}
