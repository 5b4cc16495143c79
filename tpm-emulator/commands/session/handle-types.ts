/**
 * Interface-type checks on handles (Part 2 §9: TPMI_DH_OBJECT, TPMI_DH_ENTITY, TPMI_SH_POLICY), which the
 * reference makes while unmarshalling the handle area: a handle of the wrong kind is TPM_RC_VALUE on that handle.
 */
import { TPM_HT, TPM_RC, TPM_RH } from "../../../tpm2/index.js";
import { PCR_COUNT } from "../../tpm.js";
import { handleError } from "../registry.js";

const ENTITY_PERMANENT: ReadonlySet<number> = new Set([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.LOCKOUT]);

function handleType(handle: number): number {
  return handle >>> 24;
}

/** TPMI_DH_OBJECT: a transient or persistent object (or TPM_RH_NULL when allowed), else TPM_RC_VALUE on handle n. */
export function checkObjectHandle(handle: number, n: number, allowNull: boolean): void {
  const type = handleType(handle);
  if (type === TPM_HT.TRANSIENT || type === TPM_HT.PERSISTENT || (allowNull && handle === TPM_RH.NULL)) return;
  throw handleError(TPM_RC.VALUE, n);
}

/**
 * TPMI_DH_ENTITY: a hierarchy (owner, endorsement, platform, lockout), an object, an NV index or a PCR (or
 * TPM_RH_NULL when allowed), else TPM_RC_VALUE on handle n.
 */
export function checkEntityHandle(handle: number, n: number, allowNull: boolean): void {
  const type = handleType(handle);
  const ok =
    ENTITY_PERMANENT.has(handle) ||
    type === TPM_HT.TRANSIENT ||
    type === TPM_HT.PERSISTENT ||
    type === TPM_HT.NV_INDEX ||
    (type === TPM_HT.PCR && handle < PCR_COUNT) ||
    (allowNull && handle === TPM_RH.NULL);
  if (!ok) throw handleError(TPM_RC.VALUE, n);
}

/** TPMI_SH_POLICY: a policy (or trial) session handle, else TPM_RC_VALUE on handle n. */
export function checkPolicySessionHandle(handle: number, n: number): void {
  if (handleType(handle) !== TPM_HT.POLICY_SESSION) throw handleError(TPM_RC.VALUE, n);
}
