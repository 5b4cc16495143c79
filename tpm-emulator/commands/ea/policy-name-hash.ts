import { TPM_CC, TPM_RC, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy, isCpHashSlotUsed } from "./policy-update.js";

/**
 * Part 3 §23.12 TPM2_PolicyNameHash: the session may only authorize a command whose handles have Names hashing to
 * nameHash. Digest: H(old || TPM_CC_PolicyNameHash || nameHash).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session), TPM_RC_SIZE (P1: not a digest of the session hash),
 * TPM_RC_CPHASH (the session already holds a cpHash, nameHash or templateHash).
 */
export const policyNameHash = defineCommand("PolicyNameHash", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { nameHash } = params;
  if (nameHash.length !== session.policyDigest.length) throw paramError(TPM_RC.SIZE, 1);
  if (isCpHashSlotUsed(session)) throw new TpmError(TPM_RC.CPHASH);
  extendPolicy(session, TPM_CC.PolicyNameHash, nameHash);
  session.nameHash = Buffer.from(nameHash);
  return NO_RESPONSE;
});
