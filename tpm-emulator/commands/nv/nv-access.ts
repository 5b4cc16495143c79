/**
 * Shared NV checks (Part 3 §31; the reference's NV_spt.c and NvIndexIsAccessible): handle kinds, whether an index
 * is visible, and which authorization handle may read or write it.
 */
import { TPM_HT, TPM_NT, TPM_RC, TPM_RH, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { NvIndexRecord, PersistentState } from "../../state.js";
import type { Tpm } from "../../tpm.js";
import { handleError } from "../registry.js";

/** The TPM_NT of an index (bits 7:4 of TPMA_NV). */
export function nvType(attributes: number): number {
  return (attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT;
}

/** An ordinary index (TPM_NT_ORDINARY). */
export function isOrdinaryIndex(attributes: number): boolean {
  return nvType(attributes) === TPM_NT.ORDINARY;
}

/** A PIN Pass or PIN Fail index (Part 2 §13.4: 8 octets, pinCount then pinLimit). */
export function isPinIndex(attributes: number): boolean {
  const type = nvType(attributes);
  return type === TPM_NT.PIN_FAIL || type === TPM_NT.PIN_PASS;
}

/** The types TPM2_NV_Write writes: ordinary and PIN indices (the others have their own commands). */
export function isWritableByNvWrite(attributes: number): boolean {
  return isOrdinaryIndex(attributes) || isPinIndex(attributes);
}

function has(attributes: number, bit: number): boolean {
  return (attributes & bit) !== 0;
}

/** TPMI_RH_PROVISION: TPM_RH_OWNER or TPM_RH_PLATFORM, else TPM_RC_VALUE on handle n. */
export function checkProvisionHandle(handle: number, n: number): void {
  if (handle !== TPM_RH.OWNER && handle !== TPM_RH.PLATFORM) throw handleError(TPM_RC.VALUE, n);
}

/** TPMI_RH_NV_AUTH: owner, platform or an NV index, else TPM_RC_VALUE on handle n. */
export function checkNvAuthHandle(handle: number, n: number): void {
  if (handle === TPM_RH.OWNER || handle === TPM_RH.PLATFORM || handle >>> 24 === TPM_HT.NV_INDEX) return;
  throw handleError(TPM_RC.VALUE, n);
}

/**
 * The index at `handle` (TPMI_RH_NV_INDEX, handle n), if it is visible: an owner-created index disappears while the
 * storage hierarchy is disabled, a platform-created one while platform NV is disabled (TPM_RC_HANDLE).
 */
export function accessibleIndex(tpm: Tpm, handle: number, n: number): NvIndexRecord {
  if (handle >>> 24 !== TPM_HT.NV_INDEX) throw handleError(TPM_RC.VALUE, n);
  const index = tpm.nvIndex(handle);
  if (!index) throw handleError(TPM_RC.HANDLE, n);
  const visible = has(index.public.attributes, TPMA_NV.PLATFORMCREATE) ? tpm.phEnableNV : tpm.state.shEnable;
  if (!visible) throw handleError(TPM_RC.HANDLE, n);
  return index;
}

/**
 * When an index authorizes its own access, the kind of session must be allowed by the index: AUTHREAD/AUTHWRITE
 * for a password or HMAC session, POLICYREAD/POLICYWRITE for a policy session (TPM_RC_AUTH_UNAVAILABLE otherwise;
 * the reference's IsAuthValueAvailable and IsAuthPolicyAvailable).
 */
function checkIndexAuthKind(attributes: number, policy: Session | undefined, authBit: number, policyBit: number): void {
  if (!has(attributes, policy ? policyBit : authBit)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE);
}

/**
 * The authorization-time part of a write: when the index authorizes itself, AUTHWRITE (password/HMAC) or
 * POLICYWRITE (policy session) must be set, else TPM_RC_AUTH_UNAVAILABLE.
 */
export function checkWriteAuthKind(authHandle: number, index: NvIndexRecord, policy: Session | undefined): void {
  if (authHandle === index.public.nvIndex) checkIndexAuthKind(index.public.attributes, policy, TPMA_NV.AUTHWRITE, TPMA_NV.POLICYWRITE);
}

/** The authorization-time part of a read: AUTHREAD or POLICYREAD when the index authorizes itself. */
export function checkReadAuthKind(authHandle: number, index: NvIndexRecord, policy: Session | undefined): void {
  if (authHandle === index.public.nvIndex) checkIndexAuthKind(index.public.attributes, policy, TPMA_NV.AUTHREAD, TPMA_NV.POLICYREAD);
}

/**
 * The reference's NvWriteAccessChecks: a write lock is TPM_RC_NV_LOCKED; owner authorization needs OWNERWRITE,
 * platform authorization PPWRITE, and any other authHandle must be the index itself (TPM_RC_NV_AUTHORIZATION).
 * @param policy the policy session that authorized authHandle, if any.
 */
export function checkWriteAccess(authHandle: number, index: NvIndexRecord, policy: Session | undefined): void {
  const attributes = index.public.attributes;
  checkWriteAuthKind(authHandle, index, policy);
  if (has(attributes, TPMA_NV.WRITELOCKED)) throw new TpmError(TPM_RC.NV_LOCKED);
  const allowed =
    authHandle === TPM_RH.OWNER
      ? has(attributes, TPMA_NV.OWNERWRITE)
      : authHandle === TPM_RH.PLATFORM
        ? has(attributes, TPMA_NV.PPWRITE)
        : authHandle === index.public.nvIndex;
  if (!allowed) throw new TpmError(TPM_RC.NV_AUTHORIZATION);
}

/**
 * The reference's NvReadAccessChecks: a read lock is TPM_RC_NV_LOCKED; owner authorization needs OWNERREAD,
 * platform authorization PPREAD, any other authHandle must be the index itself (TPM_RC_NV_AUTHORIZATION); and an
 * index never written has nothing to read (TPM_RC_NV_UNINITIALIZED).
 */
export function checkReadAccess(authHandle: number, index: NvIndexRecord, policy: Session | undefined): void {
  const attributes = index.public.attributes;
  checkReadAuthKind(authHandle, index, policy);
  if (has(attributes, TPMA_NV.READLOCKED)) throw new TpmError(TPM_RC.NV_LOCKED);
  const allowed =
    authHandle === TPM_RH.OWNER
      ? has(attributes, TPMA_NV.OWNERREAD)
      : authHandle === TPM_RH.PLATFORM
        ? has(attributes, TPMA_NV.PPREAD)
        : authHandle === index.public.nvIndex;
  if (!allowed) throw new TpmError(TPM_RC.NV_AUTHORIZATION);
  if (!has(attributes, TPMA_NV.WRITTEN)) throw new TpmError(TPM_RC.NV_UNINITIALIZED);
}

/** TPM_NT_COUNTER, TPM_NT_BITS, TPM_NT_EXTEND: the index kinds only their own command may write. */
export function isNvType(attributes: number, type: number): boolean {
  return nvType(attributes) === type;
}

/**
 * The reference's NvWriteIndexData: puts `bytes` at `offset` of the index and sets TPMA_NV_WRITTEN (which changes
 * the index's Name). The caller has checked the range.
 */
export function writeIndexData(index: NvIndexRecord, offset: number, bytes: Uint8Array): void {
  const contents = Buffer.from(index.data);
  contents.set(bytes, offset);
  index.data = contents;
  index.public.attributes = (index.public.attributes | TPMA_NV.WRITTEN) >>> 0;
}

/** Sets attribute bits of an index (locks), keeping the word unsigned. */
export function setIndexAttributes(index: NvIndexRecord, bits: number): void {
  index.public.attributes = (index.public.attributes | bits) >>> 0;
}

/** The 8-octet big-endian value of a counter or bit-field index (Part 2 §13.2: kept in canonical form). */
export function readUint64(index: NvIndexRecord): bigint {
  return Buffer.from(index.data).readBigUInt64BE(0);
}

/** Writes the 8-octet big-endian value of a counter or bit-field index and marks it written. */
export function writeUint64(index: NvIndexRecord, value: bigint): void {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt.asUintN(64, value));
  writeIndexData(index, 0, bytes);
}

/**
 * Deletes the indices `doomed` selects (the reference's NvDeleteIndex): a written counter among them raises
 * maxNvCounter to its count, so a counter defined later never starts below a value this TPM has shown.
 */
export function deleteNvIndices(state: PersistentState, doomed: (index: NvIndexRecord) => boolean): void {
  for (const index of state.nv) {
    const attributes = index.public.attributes;
    if (!doomed(index) || !isNvType(attributes, TPM_NT.COUNTER) || !(attributes & TPMA_NV.WRITTEN)) continue;
    const count = readUint64(index);
    if (count > state.maxNvCounter) state.maxNvCounter = count;
  }
  state.nv = state.nv.filter((index) => !doomed(index));
}
