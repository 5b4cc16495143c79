import { TPM_RC, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { checkWriteAccess, setIndexAttributes } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.11 TPM2_NV_WriteLock: sets TPMA_NV_WRITELOCKED on an index defined with TPMA_NV_WRITEDEFINE (locked
 * for good once written) or TPMA_NV_WRITE_STCLEAR (until the next TPM Reset or Restart). Locking a locked index
 * succeeds and changes nothing.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index), TPM_RC_HANDLE (handle 2 hidden),
 * TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_AUTHORIZATION, TPM_RC_ATTRIBUTES
 * (handle 2: neither WRITEDEFINE nor WRITE_STCLEAR).
 */
export const nvWriteLock = defineCommand(
  "NV_WriteLock",
  (tpm, { handles, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    try {
      checkWriteAccess(authHandle, index, ctx.authSessions[0]);
    } catch (e) {
      if (e instanceof TpmError && e.responseCode === TPM_RC.NV_LOCKED) return NO_RESPONSE;
      throw e;
    }
    if (!(index.public.attributes & (TPMA_NV.WRITEDEFINE | TPMA_NV.WRITE_STCLEAR))) throw handleError(TPM_RC.ATTRIBUTES, 2);
    setIndexAttributes(index, TPMA_NV.WRITELOCKED);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
