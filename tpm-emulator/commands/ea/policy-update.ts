/** Policy digest updates shared by the policy commands (Part 3 §23.2.3 PolicyUpdate, the reference's PolicyContextUpdate). */
import { hashDigest, policyUpdate } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import { restrictPolicyTimeout } from "./policy-timeout.js";

/** Big-endian UINT32. */
export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** policyDigest_new = H(policyDigest_old || commandCode || parts...), the form most assertions use. */
export function extendPolicy(session: Session, commandCode: number, ...parts: Uint8Array[]): void {
  session.policyDigest = hashDigest(session.authHash, session.policyDigest, u32(commandCode), ...parts);
}

/**
 * PolicyContextUpdate: PolicyUpdate(commandCode, name, policyRef), a cpHash restriction (when given) and the
 * earliest timeout.
 */
export function updatePolicyContext(
  session: Session,
  commandCode: number,
  name: Uint8Array,
  policyRef: Uint8Array,
  cpHash: Uint8Array,
  timeout: bigint,
): void {
  session.policyDigest = policyUpdate(session.authHash, session.policyDigest, commandCode, name, policyRef);
  if (cpHash.length !== 0) session.cpHash = Buffer.from(cpHash);
  restrictPolicyTimeout(session, timeout);
}

/** Whether the session's cpHash slot (the reference's u1: cpHash, nameHash or templateHash) is taken. */
export function isCpHashSlotUsed(session: Session): boolean {
  return session.cpHash !== undefined || session.nameHash !== undefined || session.templateHash !== undefined;
}
