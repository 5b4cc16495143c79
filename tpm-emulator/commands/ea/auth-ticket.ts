import { TPM_HT, TPM_RH, TPMA_NV, hmac, type TPMT_TK_AUTH } from "../../../tpm2/index.js";
import { CONTEXT_INTEGRITY_HASH } from "../../capabilities.js";
import { hierarchyProof } from "../../object-create.js";
import type { Tpm } from "../../tpm.js";

/** The flag in a timeout buffer saying the ticket expires on the next TPM Reset (the reference's EXPIRATION_BIT). */
export const EXPIRATION_BIT = 1n << 63n;

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, value));
  return b;
}

/** The reference's EntityGetHierarchy: the hierarchy whose proof keys tickets about an entity. */
export function entityHierarchy(tpm: Tpm, handle: number): number {
  switch (handle >>> 24) {
    case TPM_HT.PERMANENT:
      return handle === TPM_RH.PLATFORM || handle === TPM_RH.ENDORSEMENT || handle === TPM_RH.NULL ? handle : TPM_RH.OWNER;
    case TPM_HT.NV_INDEX:
      return (tpm.nvIndex(handle)?.public.attributes ?? 0) & TPMA_NV.PLATFORMCREATE ? TPM_RH.PLATFORM : TPM_RH.OWNER;
    case TPM_HT.TRANSIENT:
    case TPM_HT.PERSISTENT:
      return tpm.requireObject(handle).hierarchy;
    default:
      return TPM_RH.OWNER;
  }
}

/**
 * A TPMT_TK_AUTH (Part 2 §10.7.5; the reference's TicketComputeAuth): HMAC with the hierarchy's proof over the
 * tag, cpHashA, policyRef, the authorizing entity's Name and the timeout, and the reset count when the ticket
 * expires on TPM Reset.
 */
export function authTicket(
  tpm: Tpm,
  tag: number,
  hierarchy: number,
  timeout: bigint,
  expiresOnReset: boolean,
  cpHashA: Uint8Array,
  policyRef: Uint8Array,
  entityName: Uint8Array,
): TPMT_TK_AUTH {
  const parts = [u16(tag), cpHashA, policyRef, entityName, u64(timeout)];
  if (timeout !== 0n && expiresOnReset) parts.push(u64(BigInt(tpm.state.resetCount)));
  return { tag, hierarchy, digest: hmac(CONTEXT_INTEGRITY_HASH, hierarchyProof(tpm, hierarchy), ...parts) };
}
