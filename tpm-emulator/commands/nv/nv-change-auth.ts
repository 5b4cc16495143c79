import { TPM_RC, digestSize, trimAuthValue } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { accessibleIndex } from "./nv-access.js";
import { checkAdminPolicy } from "./nv-admin-auth.js";
import { checkNvWrittenPolicies } from "./nv-written-policy.js";

/**
 * Part 3 §31.5 TPM2_NV_ChangeAuth: a new authValue for an index, kept without trailing zeros. The ADMIN role
 * needs a policy session whose policy names this command; the response HMAC is keyed with the new authValue.
 * RCs: TPM_RC_VALUE (handle 1 not an index), TPM_RC_HANDLE (handle 1 hidden), TPM_RC_AUTH_TYPE (not a policy
 * session), TPM_RC_POLICY_FAIL (session 1: no command code in the policy, or PolicyNvWritten), TPM_RC_SIZE
 * (parameter 1: longer than the nameAlg digest).
 */
export const nvChangeAuth = defineCommand(
  "NV_ChangeAuth",
  (tpm, { handles, params, ctx }) => {
    const index = accessibleIndex(tpm, handles[0]!, 1);
    checkAdminPolicy(ctx.authSessions[0], 1);
    checkNvWrittenPolicies(tpm, handles, ctx.authSessions);
    const newAuth = trimAuthValue(params.newAuth);
    if (newAuth.length > digestSize(index.public.nameAlg)) throw paramError(TPM_RC.SIZE, 1);
    index.authValue = Buffer.from(newAuth);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
