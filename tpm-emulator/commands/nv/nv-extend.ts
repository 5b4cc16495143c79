import { TPM_NT, TPM_RC, TPMA_NV, hashDigest } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { checkWriteAccess, isNvType, writeIndexData } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.9 TPM2_NV_Extend: an extend index (TPM_NT_EXTEND) becomes H_nameAlg(old contents || data), the old
 * contents being zeros while the index has never been written.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index), TPM_RC_HANDLE (handle 2 hidden),
 * TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION,
 * TPM_RC_ATTRIBUTES (handle 2: not an extend index).
 */
export const nvExtend = defineCommand(
  "NV_Extend",
  (tpm, { handles, params, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    checkWriteAccess(authHandle, index, ctx.authSessions[0]);
    const pub = index.public;
    if (!isNvType(pub.attributes, TPM_NT.EXTEND)) throw handleError(TPM_RC.ATTRIBUTES, 2);
    const old = pub.attributes & TPMA_NV.WRITTEN ? index.data : Buffer.alloc(pub.dataSize);
    writeIndexData(index, 0, hashDigest(pub.nameAlg, old, params.data));
    return NO_RESPONSE;
  },
  { writesNv: true },
);
