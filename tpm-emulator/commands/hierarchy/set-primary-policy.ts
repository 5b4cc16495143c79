import { TPM_ALG, TPM_RC, TPM_RH, digestSize } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/**
 * Part 3 §24.7 TPM2_SetPrimaryPolicy: a new authPolicy (and its hash) for the owner, endorsement, platform or
 * lockout hierarchy; an empty policy goes with TPM_ALG_NULL. The platform policy lasts until the next
 * Startup(CLEAR).
 * RCs: TPM_RC_VALUE (H1: not a hierarchy with a policy), TPM_RC_SIZE (P1: authPolicy not a digest of hashAlg),
 * TPM_RC_HASH (P2: not a hash this TPM implements).
 */
export const setPrimaryPolicy = defineCommand(
  "SetPrimaryPolicy",
  (tpm, { handles, params }) => {
    const { authPolicy, hashAlg } = params;
    const size = hashAlg === TPM_ALG.NULL ? 0 : digestSize(hashAlg);
    if (authPolicy.length !== size) throw paramError(TPM_RC.SIZE, 1);
    const s = tpm.state;
    const record =
      handles[0] === TPM_RH.OWNER ? s.owner : handles[0] === TPM_RH.ENDORSEMENT ? s.endorsement : handles[0] === TPM_RH.PLATFORM ? s.platform : s.lockout;
    record.authPolicy = Buffer.from(authPolicy);
    record.authPolicyAlg = hashAlg;
    return NO_RESPONSE;
  },
  { writesNv: true },
);
