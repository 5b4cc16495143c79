import { TPM_CC, TPM_RC, digestSize, emptyPolicyDigest, hashDigest, isHashAlg } from "../../../tpm2/index.js";
import { isVerifiedTicketValid } from "../../tickets.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { updatePolicyContext } from "./policy-update.js";

/**
 * Part 3 §23.16 TPM2_PolicyAuthorize: a policy approved by keySign replaces the session's digest. The caller shows
 * a TPMT_TK_VERIFIED from TPM2_VerifySignature over aHash = H_nameAlg(approvedPolicy || policyRef) by the key named
 * keySign; the digest becomes PolicyUpdate(TPM_CC_PolicyAuthorize, keySign, policyRef) from zeros.
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; P1: approvedPolicy is not the current digest; P4: the ticket
 * does not prove the signature), TPM_RC_SIZE (P3: keySign not a Name), TPM_RC_HASH (P3: Name hash unknown).
 */
export const policyAuthorize = defineCommand("PolicyAuthorize", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { approvedPolicy, policyRef, keySign, checkTicket } = params;
  if (keySign.length < 2) throw paramError(TPM_RC.SIZE, 3);
  const nameAlg = Buffer.from(keySign).readUInt16BE(0);
  if (!isHashAlg(nameAlg)) throw paramError(TPM_RC.HASH, 3);
  if (digestSize(nameAlg) !== keySign.length - 2) throw paramError(TPM_RC.SIZE, 3);
  if (!isTrialSession(session)) {
    if (Buffer.compare(session.policyDigest, approvedPolicy) !== 0) throw paramError(TPM_RC.VALUE, 1);
    const aHash = hashDigest(nameAlg, approvedPolicy, policyRef);
    if (!isVerifiedTicketValid(tpm, checkTicket, aHash, keySign)) throw paramError(TPM_RC.VALUE, 4);
  }
  session.policyDigest = emptyPolicyDigest(session.authHash);
  updatePolicyContext(session, TPM_CC.PolicyAuthorize, keySign, policyRef, Buffer.alloc(0), 0n);
  return NO_RESPONSE;
});
