import { TPM_HT, TPM_RH, TPMA_NV } from "../../../tpm2/index.js";
import type { Tpm } from "../../tpm.js";

/** The flag in a timeout buffer saying the ticket expires on the next TPM Reset (the reference's EXPIRATION_BIT). */
export const EXPIRATION_BIT = 1n << 63n;

/** The reference's EntityGetHierarchy: the hierarchy whose proof keys a ticket about an entity. */
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
