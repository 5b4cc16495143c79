import { TPM_NT, TPM_RC, TPMA_NV } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { checkWriteAccess, isNvType, readUint64, writeUint64 } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.8 TPM2_NV_Increment: adds one to a counter index (TPM_NT_COUNTER). A counter never written starts
 * from the highest count of any counter this TPM deleted (NvReadMaxCount), 0 on a new TPM, so a counter value is
 * never repeated.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index), TPM_RC_HANDLE (handle 2 hidden),
 * TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION,
 * TPM_RC_ATTRIBUTES (handle 2: not a counter).
 */
export const nvIncrement = defineCommand(
  "NV_Increment",
  (tpm, { handles, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    checkWriteAccess(authHandle, index, ctx.authSessions[0]);
    if (!isNvType(index.public.attributes, TPM_NT.COUNTER)) throw handleError(TPM_RC.ATTRIBUTES, 2);
    const written = (index.public.attributes & TPMA_NV.WRITTEN) !== 0;
    writeUint64(index, (written ? readUint64(index) : tpm.state.maxNvCounter) + 1n);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
