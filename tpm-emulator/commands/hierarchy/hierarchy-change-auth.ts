import { TPM_RC, TPM_RH, digestSize, trimAuthValue } from "../../../tpm2/index.js";
import { CONTEXT_HASH } from "../../context-blob.js";
import { NO_RESPONSE, defineCommand, handleError, paramError } from "../registry.js";

/**
 * Part 3 §24.8 TPM2_HierarchyChangeAuth: a new authValue for the owner, endorsement, platform or lockout
 * hierarchy, stored without trailing zeros.
 * RCs: TPM_RC_VALUE (handle 1 is not a hierarchy with an authValue), TPM_RC_SIZE (parameter 1: newAuth longer than
 * the largest digest this TPM produces).
 */
export const hierarchyChangeAuth = defineCommand(
  "HierarchyChangeAuth",
  (tpm, { handles, params }) => {
    const authHandle = handles[0]!;
    const s = tpm.state;
    const record =
      authHandle === TPM_RH.OWNER
        ? s.owner
        : authHandle === TPM_RH.ENDORSEMENT
          ? s.endorsement
          : authHandle === TPM_RH.PLATFORM
            ? s.platform
            : authHandle === TPM_RH.LOCKOUT
              ? s.lockout
              : undefined;
    if (!record) throw handleError(TPM_RC.VALUE, 1);
    const newAuth = trimAuthValue(params.newAuth);
    if (newAuth.length > digestSize(CONTEXT_HASH)) throw paramError(TPM_RC.SIZE, 1);
    record.authValue = Buffer.from(newAuth);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
