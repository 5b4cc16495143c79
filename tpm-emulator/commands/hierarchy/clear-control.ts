import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §24.7 TPM2_ClearControl: disables (or, with platformAuth only, re-enables) TPM2_Clear.
 * RCs: TPM_RC_VALUE (H1: not lockout or platform), TPM_RC_AUTH_FAIL (lockoutAuth asking to enable Clear).
 */
export const clearControl = defineCommand(
  "ClearControl",
  (tpm, { handles, params }) => {
    if (handles[0] === TPM_RH.LOCKOUT && !params.disable) throw new TpmError(TPM_RC.AUTH_FAIL);
    tpm.state.disableClear = params.disable;
    return NO_RESPONSE;
  },
  { writesNv: true },
);
