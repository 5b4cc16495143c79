import { TPM_RC, TPM_RH, TPMA_NV } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, handleError } from "../registry.js";
import { accessibleIndex, deleteNvIndices } from "./nv-access.js";
import { checkAdminPolicy } from "./nv-admin-auth.js";
import { checkNvWrittenPolicies } from "./nv-written-policy.js";

/**
 * Part 3 §31.4 TPM2_NV_UndefineSpaceSpecial: removes an index defined with TPMA_NV_POLICY_DELETE, which needs both
 * the index's policy (ADMIN role, a policy naming this command) and platform authorization.
 * RCs: TPM_RC_VALUE (handle 1 not an index; handle 2 not TPM_RH_PLATFORM), TPM_RC_HANDLE (handle 1 hidden),
 * TPM_RC_AUTH_TYPE (session 1 not a policy session), TPM_RC_POLICY_FAIL (session 1: no command code in the policy,
 * or PolicyNvWritten), TPM_RC_ATTRIBUTES (handle 1: no TPMA_NV_POLICY_DELETE).
 */
export const nvUndefineSpaceSpecial = defineCommand(
  "NV_UndefineSpaceSpecial",
  (tpm, { handles, ctx }) => {
    const [nvHandle, platform] = handles as [number, number];
    const index = accessibleIndex(tpm, nvHandle, 1);
    if (platform !== TPM_RH.PLATFORM) throw handleError(TPM_RC.VALUE, 2);
    checkAdminPolicy(ctx.authSessions[0], 1);
    checkNvWrittenPolicies(tpm, handles, ctx.authSessions);
    if (!(index.public.attributes & TPMA_NV.POLICY_DELETE)) throw handleError(TPM_RC.ATTRIBUTES, 1);
    deleteNvIndices(tpm.state, (n) => n === index);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
