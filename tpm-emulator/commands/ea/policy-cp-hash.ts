import { TPM_CC, TPM_RC, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/**
 * Part 3 §23.10 TPM2_PolicyCpHash: the session may only authorize the command whose cpHash is cpHashA.
 * Digest: H(old || TPM_CC_PolicyCpHash || cpHashA).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session), TPM_RC_SIZE (P1: not a digest of the session hash),
 * TPM_RC_CPHASH (the session already holds a different cpHash, or a nameHash or templateHash).
 */
export const policyCpHash = defineCommand("PolicyCpHash", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { cpHashA } = params;
  if (cpHashA.length !== session.policyDigest.length) throw paramError(TPM_RC.SIZE, 1);
  const conflicting =
    session.nameHash !== undefined ||
    session.templateHash !== undefined ||
    (session.cpHash !== undefined && Buffer.compare(session.cpHash, cpHashA) !== 0);
  if (conflicting) throw new TpmError(TPM_RC.CPHASH);
  extendPolicy(session, TPM_CC.PolicyCpHash, cpHashA);
  session.cpHash = Buffer.from(cpHashA);
  return NO_RESPONSE;
});
