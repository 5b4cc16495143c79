import { TPM_CC, TPM_RC, TpmError, hashDigest } from "../../../tpm2/index.js";
import { nvName } from "../../tpm.js";
import { checkReadAccess, nvTarget } from "../nv/index.js";
import { isTrialSession, policySessionAt } from "../ea/policy-session.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { checkCondition } from "./operand-compare.js";

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/**
 * Part 3 §23.9 TPM2_PolicyNV: the policy holds only while `operation` is true between the index's data at `offset`
 * (as many octets as operandB) and operandB. The digest is extended with
 * H(operandB || offset || operation) and the index's Name. A trial session only extends the digest.
 * RCs: TPM_RC_VALUE (handle 1 not owner, platform or an index; handle 2 not an index; handle 3 not a policy session;
 * parameter 2: offset beyond the index), TPM_RC_HANDLE (handle 2 hidden), TPM_RC_AUTH_UNAVAILABLE,
 * TPM_RC_POLICY_FAIL (PolicyNvWritten), TPM_RC_NV_LOCKED, TPM_RC_NV_AUTHORIZATION, TPM_RC_NV_UNINITIALIZED,
 * TPM_RC_SIZE (parameter 1: operandB reaches beyond the index), TPM_RC_POLICY (the comparison is false).
 */
export const policyNv = defineCommand("PolicyNV", (tpm, { handles, params, ctx }) => {
  const session = policySessionAt(tpm, handles[2]!, 3);
  const { authHandle, index } = nvTarget(tpm, handles, ctx);
  const { operandB, offset, operation } = params;
  if (!isTrialSession(session)) {
    checkReadAccess(authHandle, index, ctx.authSessions[0]);
    const dataSize = index.public.dataSize;
    if (offset > dataSize) throw paramError(TPM_RC.VALUE, 2);
    if (dataSize - offset < operandB.length) throw paramError(TPM_RC.SIZE, 1);
    const operandA = index.data.subarray(offset, offset + operandB.length);
    if (!checkCondition(operation, operandA, operandB)) throw new TpmError(TPM_RC.POLICY);
  }
  const alg = session.authHash;
  const args = hashDigest(alg, operandB, u16(offset), u16(operation));
  session.policyDigest = hashDigest(alg, session.policyDigest, u32(TPM_CC.PolicyNV), args, nvName(index.public));
  return NO_RESPONSE;
});
