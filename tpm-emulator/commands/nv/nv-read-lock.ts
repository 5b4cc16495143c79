import { TPM_RC, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { checkReadAccess, setIndexAttributes } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.14 TPM2_NV_ReadLock: sets TPMA_NV_READLOCKED on an index defined with TPMA_NV_READ_STCLEAR, until the
 * next TPM Reset or Restart. An index never written may be locked; locking a locked index changes nothing.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index), TPM_RC_HANDLE (handle 2 hidden),
 * TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_AUTHORIZATION, TPM_RC_ATTRIBUTES
 * (handle 2: no READ_STCLEAR).
 */
export const nvReadLock = defineCommand(
  "NV_ReadLock",
  (tpm, { handles, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    try {
      checkReadAccess(authHandle, index, ctx.authSessions[0]);
    } catch (e) {
      if (!(e instanceof TpmError)) throw e;
      if (e.responseCode === TPM_RC.NV_LOCKED) return NO_RESPONSE;
      if (e.responseCode !== TPM_RC.NV_UNINITIALIZED) throw e;
    }
    if (!(index.public.attributes & TPMA_NV.READ_STCLEAR)) throw handleError(TPM_RC.ATTRIBUTES, 2);
    setIndexAttributes(index, TPMA_NV.READLOCKED);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
