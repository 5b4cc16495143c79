import { TPM_RC, TPM_RH } from "../../../tpm2/index.js";
import { PCR_COUNT } from "../../tpm.js";
import { handleError } from "../registry.js";

/**
 * TPMI_DH_PCR (Part 2 §9.6): a PCR this TPM implements, or TPM_RH_NULL where the command allows it;
 * anything else is TPM_RC_VALUE on handle `n`.
 */
export function checkPcrHandle(handle: number, n: number, allowNull: boolean): void {
  if (handle < PCR_COUNT || (allowNull && handle === TPM_RH.NULL)) return;
  throw handleError(TPM_RC.VALUE, n);
}
