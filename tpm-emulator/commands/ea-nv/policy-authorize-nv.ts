import { TPM_CC, TPM_RC, TpmError, emptyPolicyDigest, hashDigest, isHashAlg, digestSize } from "../../../tpm2/index.js";
import { nvName } from "../../tpm.js";
import type { NvIndexRecord } from "../../state.js";
import { checkReadAccess, nvTarget } from "../nv/index.js";
import { isTrialSession, policySessionAt } from "../ea/policy-session.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/** The index's leading TPMT_HA (hash algorithm, digest); TPM_RC_HASH or TPM_RC_INSUFFICIENT when it holds none. */
function policyInIndex(index: NvIndexRecord): { hashAlg: number; digest: Buffer } {
  const data = Buffer.from(index.data);
  if (data.length < 2) throw new TpmError(TPM_RC.INSUFFICIENT);
  const hashAlg = data.readUInt16BE(0);
  if (!isHashAlg(hashAlg)) throw new TpmError(TPM_RC.HASH);
  const size = digestSize(hashAlg);
  if (data.length < 2 + size) throw new TpmError(TPM_RC.INSUFFICIENT);
  return { hashAlg, digest: data.subarray(2, 2 + size) };
}

/**
 * Part 3 §23.22 TPM2_PolicyAuthorizeNV: the policy so far must be the one an NV index holds (as a TPMT_HA with the
 * session's hash), so whoever may write the index decides which policy is approved. The digest is then reset and
 * extended with TPM_CC_PolicyAuthorizeNV and the index's Name. A trial session only computes the digest.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index; handle 2 not an index; handle 3 not a policy session;
 * the policy differs from the index's), TPM_RC_HANDLE (handle 2 hidden), TPM_RC_AUTH_UNAVAILABLE,
 * TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION, TPM_RC_NV_UNINITIALIZED,
 * TPM_RC_HASH (no hash algorithm in the index, or not the session's), TPM_RC_INSUFFICIENT (index too short).
 */
export const policyAuthorizeNv = defineCommand("PolicyAuthorizeNV", (tpm, { handles, ctx }) => {
  const session = policySessionAt(tpm, handles[2]!, 3);
  const { authHandle, index } = nvTarget(tpm, handles, ctx);
  if (!isTrialSession(session)) {
    checkReadAccess(authHandle, index, ctx.authSessions[0]);
    const approved = policyInIndex(index);
    if (approved.hashAlg !== session.authHash) throw new TpmError(TPM_RC.HASH);
    if (Buffer.compare(approved.digest, session.policyDigest) !== 0) throw new TpmError(TPM_RC.VALUE);
  }
  const cc = Buffer.alloc(4);
  cc.writeUInt32BE(TPM_CC.PolicyAuthorizeNV);
  const alg = session.authHash;
  session.policyDigest = hashDigest(alg, emptyPolicyDigest(alg), cc, nvName(index.public));
  return NO_RESPONSE;
});
