import { TPM_CC, TPM_RC, hashDigest } from "../../../tpm2/index.js";
import { nvWrittenRequirement, requireNvWritten } from "../nv/index.js";
import { policySessionAt } from "../ea/policy-session.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/**
 * Part 3 §23.20 TPM2_PolicyNvWritten: the session may then only authorize an NV index whose TPMA_NV_WRITTEN equals
 * `writtenSet` (checked when it authorizes). The digest is extended with TPM_CC_PolicyNvWritten and the one octet of
 * writtenSet.
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; parameter 1: the session already asserts the other state).
 */
export const policyNvWritten = defineCommand("PolicyNvWritten", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { writtenSet } = params;
  const asserted = nvWrittenRequirement(session);
  if (asserted !== undefined && asserted !== writtenSet) throw paramError(TPM_RC.VALUE, 1);
  requireNvWritten(session, writtenSet);
  const cc = Buffer.alloc(4);
  cc.writeUInt32BE(TPM_CC.PolicyNvWritten);
  session.policyDigest = hashDigest(session.authHash, session.policyDigest, cc, Buffer.from([writtenSet ? 1 : 0]));
  return NO_RESPONSE;
});
