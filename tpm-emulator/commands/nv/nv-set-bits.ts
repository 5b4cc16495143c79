import { TPM_NT, TPM_RC, TPMA_NV } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { checkWriteAccess, isNvType, readUint64, writeUint64 } from "./nv-access.js";
import { nvTarget } from "./nv-target.js";

/**
 * Part 3 §31.10 TPM2_NV_SetBits: ORs `bits` into a bit-field index (TPM_NT_BITS), which starts at zero. Bits are
 * only ever set; nothing but a redefinition clears them.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index), TPM_RC_HANDLE (handle 2 hidden),
 * TPM_RC_AUTH_UNAVAILABLE, TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION,
 * TPM_RC_ATTRIBUTES (handle 2: not a bit field).
 */
export const nvSetBits = defineCommand(
  "NV_SetBits",
  (tpm, { handles, params, ctx }) => {
    const { authHandle, index } = nvTarget(tpm, handles, ctx);
    checkWriteAccess(authHandle, index, ctx.authSessions[0]);
    if (!isNvType(index.public.attributes, TPM_NT.BITS)) throw handleError(TPM_RC.ATTRIBUTES, 2);
    const old = index.public.attributes & TPMA_NV.WRITTEN ? readUint64(index) : 0n;
    writeUint64(index, old | params.bits);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
