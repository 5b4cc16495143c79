import { TPM_LIMITS, TPM_RC, TpmError } from "../../../tpm2/index.js";
import { defineCommand, paramError } from "../registry.js";
import { checkReadAccess } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.13 TPM2_NV_Read: `size` octets from `offset` of an index that has been written. The authorization
 * comes from the owner (OWNERREAD), the platform (PPREAD) or the index itself (AUTHREAD with a password or HMAC
 * session, POLICYREAD with a policy session).
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index; handle 2 not an index; parameter 1: size above the NV
 * buffer; parameter 2: offset beyond the index), TPM_RC_HANDLE (handle 2 hidden), TPM_RC_AUTH_UNAVAILABLE,
 * TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION, TPM_RC_NV_UNINITIALIZED,
 * TPM_RC_NV_RANGE.
 */
export const nvRead = defineCommand("NV_Read", (tpm, { handles, params, ctx }) => {
  const { authHandle, index } = nvTarget(tpm, handles, ctx);
  checkReadAccess(authHandle, index, ctx.authSessions[0]);
  const { size, offset } = params;
  const dataSize = index.public.dataSize;
  if (size > TPM_LIMITS.MAX_NV_BUFFER) throw paramError(TPM_RC.VALUE, 1);
  if (offset > dataSize) throw paramError(TPM_RC.VALUE, 2);
  if (size > dataSize - offset) throw new TpmError(TPM_RC.NV_RANGE);
  return { response: { data: Buffer.from(index.data.subarray(offset, offset + size)) } };
});
