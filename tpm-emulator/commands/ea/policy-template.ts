import { TPM_CC, TPM_RC, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/**
 * Part 3 §23.21 TPM2_PolicyTemplate: the session may only authorize TPM2_Create/CreatePrimary/CreateLoaded with a
 * template (inPublic) hashing to templateHash. Digest: H(old || TPM_CC_PolicyTemplate || templateHash).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; P1: a different templateHash is already set), TPM_RC_CPHASH
 * (the session holds a cpHash or nameHash), TPM_RC_SIZE (P1: not a digest of the session hash).
 */
export const policyTemplate = defineCommand("PolicyTemplate", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { templateHash } = params;
  if (session.templateHash !== undefined) {
    if (Buffer.compare(session.templateHash, templateHash) !== 0) throw paramError(TPM_RC.VALUE, 1);
  } else if (session.cpHash !== undefined || session.nameHash !== undefined) {
    throw new TpmError(TPM_RC.CPHASH);
  }
  if (templateHash.length !== session.policyDigest.length) throw paramError(TPM_RC.SIZE, 1);
  extendPolicy(session, TPM_CC.PolicyTemplate, templateHash);
  session.templateHash = Buffer.from(templateHash);
  return NO_RESPONSE;
});
