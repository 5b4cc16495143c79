/**
 * Checks common to TPM2_PolicySigned and TPM2_PolicySecret (Part 3 §23.3, §23.4; the reference's
 * PolicyParameterChecks and ComputeAuthTimeout): nonceTPM, expiration and cpHashA.
 */
import { TPM_RC, TpmError } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { Tpm } from "../../tpm.js";
import { paramError } from "../registry.js";
import { sessionStartTime } from "./policy-timeout.js";

/** Parameter numbers of nonceTPM, cpHashA and expiration in the command being checked. */
export interface PolicyParameterNumbers {
  nonceTPM: number;
  cpHashA: number;
  expiration: number;
}

/**
 * The time (TPM Time, ms) at which the authorization expires, 0 for never. With nonceTPM the expiration counts from
 * the start of the session; without it, it is an absolute time in seconds, to which the current millisecond
 * offset is added so it does not expire early.
 */
export function authTimeout(tpm: Tpm, session: Session, expiration: number, nonceTPM: Uint8Array): bigint {
  if (expiration === 0) return 0n;
  const seconds = BigInt(Math.abs(expiration === -0x80000000 ? expiration + 1 : expiration));
  if (nonceTPM.length === 0) return seconds * 1000n + (tpm.time() % 1000n);
  // A session whose start is unknown counts from now: later than its real start, so it never expires early.
  return (sessionStartTime(session) ?? tpm.time()) + seconds * 1000n;
}

/**
 * A nonceTPM that is not the session's is TPM_RC_NONCE; a passed timeout is TPM_RC_EXPIRED; a cpHashA of the wrong
 * size is TPM_RC_SIZE, and one different from a cpHash the session already holds is TPM_RC_CPHASH.
 */
export function checkPolicyParameters(
  tpm: Tpm,
  session: Session,
  timeout: bigint,
  cpHashA: Uint8Array,
  nonceTPM: Uint8Array,
  numbers: PolicyParameterNumbers,
): void {
  if (nonceTPM.length !== 0 && Buffer.compare(nonceTPM, session.nonceTPM) !== 0) {
    throw paramError(TPM_RC.NONCE, numbers.nonceTPM);
  }
  if (timeout !== 0n && timeout < tpm.time()) throw paramError(TPM_RC.EXPIRED, numbers.expiration);
  if (cpHashA.length !== 0) {
    if (cpHashA.length !== session.policyDigest.length) throw paramError(TPM_RC.SIZE, numbers.cpHashA);
    if (session.cpHash !== undefined && Buffer.compare(cpHashA, session.cpHash) !== 0) throw new TpmError(TPM_RC.CPHASH);
  }
}
