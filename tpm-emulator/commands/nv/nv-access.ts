/**
 * Shared NV checks (Part 3 §31; the reference's NV_spt.c and NvIndexIsAccessible): handle kinds, whether an index
 * is visible, and which authorization handle may read or write it.
 */
import { TPM_HT, TPM_NT, TPM_RC, TPM_RH, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import type { Session } from "../../sessions.js";
import type { NvIndexRecord } from "../../state.js";
import type { Tpm } from "../../tpm.js";
import { handleError } from "../registry.js";

/** The TPM_NT of an index (bits 7:4 of TPMA_NV). */
export function nvType(attributes: number): number {
  return (attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT;
}

/** An ordinary index (TPM_NT_ORDINARY): the only type TPM2_NV_Write writes. */
export function isOrdinaryIndex(attributes: number): boolean {
  return nvType(attributes) === TPM_NT.ORDINARY;
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
 * The reference's NvWriteAccessChecks: a write lock is TPM_RC_NV_LOCKED; owner authorization needs OWNERWRITE,
 * platform authorization PPWRITE, and any other authHandle must be the index itself (TPM_RC_NV_AUTHORIZATION).
 * @param policy the policy session that authorized authHandle, if any.
 */
export function checkWriteAccess(authHandle: number, index: NvIndexRecord, policy: Session | undefined): void {
  const attributes = index.public.attributes;
  if (authHandle === index.public.nvIndex) checkIndexAuthKind(attributes, policy, TPMA_NV.AUTHWRITE, TPMA_NV.POLICYWRITE);
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
  if (authHandle === index.public.nvIndex) checkIndexAuthKind(attributes, policy, TPMA_NV.AUTHREAD, TPMA_NV.POLICYREAD);
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
