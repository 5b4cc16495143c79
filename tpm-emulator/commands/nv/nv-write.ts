import { TPM_RC, TPMA_NV, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { checkWriteAccess, isWritableByNvWrite, writeIndexData } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.7 TPM2_NV_Write: writes data at an offset of an ordinary index and sets TPMA_NV_WRITTEN. The
 * authorization comes from the owner (OWNERWRITE), the platform (PPWRITE) or the index itself (AUTHWRITE with a
 * password or HMAC session, POLICYWRITE with a policy session).
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index; handle 2 not an index; parameter 2: offset beyond
 * the index), TPM_RC_HANDLE (handle 2 hidden), TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten),
 * TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION, TPM_RC_ATTRIBUTES (not an ordinary index), TPM_RC_NV_RANGE (data
 * beyond the end, or less than all of a WRITEALL index).
 */
export const nvWrite = defineCommand(
  "NV_Write",
  (tpm, { handles, params, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    checkWriteAccess(authHandle, index, ctx.authSessions[0]);
    const pub = index.public;
    if (!isWritableByNvWrite(pub.attributes)) throw new TpmError(TPM_RC.ATTRIBUTES);
    const { data, offset } = params;
    if (offset > pub.dataSize) throw paramError(TPM_RC.VALUE, 2);
    if (data.length > pub.dataSize - offset) throw new TpmError(TPM_RC.NV_RANGE);
    if (pub.attributes & TPMA_NV.WRITEALL && data.length < pub.dataSize) throw new TpmError(TPM_RC.NV_RANGE);

    writeIndexData(index, offset, data);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
