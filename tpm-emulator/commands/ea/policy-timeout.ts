/**
 * Policy session timing (Part 3 §23.3, §23.4): when the session started and the earliest expiration any
 * TPM2_PolicySigned/PolicySecret has set, in TPM Time (ms since the last TPM Reset).
 */
import type { Session } from "../../sessions.js";

const startTimes = new WeakMap<Session, bigint>();
const timeouts = new WeakMap<Session, bigint>();

/** Records the TPM Time at which a policy session started (TPM2_StartAuthSession). */
export function recordSessionStart(session: Session, time: bigint): void {
  startTimes.set(session, time);
  timeouts.delete(session);
}

/** The TPM Time the session started at, if it was started by TPM2_StartAuthSession since the last TPM Reset. */
export function sessionStartTime(session: Session): bigint | undefined {
  return startTimes.get(session);
}

/** The time after which the policy session may no longer authorize, if a policy command set one. */
export function policyTimeout(session: Session): bigint | undefined {
  return timeouts.get(session);
}

/** As the reference's PolicyContextUpdate: a new timeout only ever brings the expiration closer. */
export function restrictPolicyTimeout(session: Session, timeout: bigint): void {
  if (timeout === 0n) return;
  const current = timeouts.get(session);
  if (current === undefined || current > timeout) timeouts.set(session, timeout);
}

/** TPM2_PolicyRestart: no timeout any more. */
export function clearPolicyTimeout(session: Session): void {
  timeouts.delete(session);
}
