import { TPM_CC, TPM_EO, TPM_RC, TPMS_TIME_INFO, TpmError, hashDigest, marshal } from "../../../tpm2/index.js";
import type { Tpm } from "../../tpm.js";
import { clockInfo } from "../clock/clock-info.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/** The marshalled TPMS_TIME_INFO the operand is compared with (the reference's TimeGetMarshaled). */
function timeInfoBytes(tpm: Tpm): Buffer {
  return marshal(TPMS_TIME_INFO, { time: tpm.time(), clockInfo: clockInfo(tpm) });
}

/** Compares two equal-length big-endian numbers: negative, zero or positive. */
function compare(a: Buffer, b: Buffer, signed: boolean): number {
  if (signed && a.length > 0) {
    const sa = (a[0]! & 0x80) !== 0;
    const sb = (b[0]! & 0x80) !== 0;
    if (sa !== sb) return sa ? -1 : 1;
  }
  return Buffer.compare(a, b);
}

/** PolicySptCheckCondition: operand A (from the TPM) `operation` operand B. */
export function checkCondition(operation: number, a: Buffer, b: Buffer): boolean {
  switch (operation) {
    case TPM_EO.EQ:
      return Buffer.compare(a, b) === 0;
    case TPM_EO.NEQ:
      return Buffer.compare(a, b) !== 0;
    case TPM_EO.SIGNED_GT:
      return compare(a, b, true) > 0;
    case TPM_EO.UNSIGNED_GT:
      return compare(a, b, false) > 0;
    case TPM_EO.SIGNED_LT:
      return compare(a, b, true) < 0;
    case TPM_EO.UNSIGNED_LT:
      return compare(a, b, false) < 0;
    case TPM_EO.SIGNED_GE:
      return compare(a, b, true) >= 0;
    case TPM_EO.UNSIGNED_GE:
      return compare(a, b, false) >= 0;
    case TPM_EO.SIGNED_LE:
      return compare(a, b, true) <= 0;
    case TPM_EO.UNSIGNED_LE:
      return compare(a, b, false) <= 0;
    case TPM_EO.BITSET:
      return b.every((byte, i) => (a[i]! & byte) === byte);
    case TPM_EO.BITCLEAR:
      return b.every((byte, i) => (a[i]! & byte) === 0);
    default:
      return false;
  }
}

/**
 * Part 3 §23.? TPM2_PolicyCounterTimer: operandB compared with the octets of the marshalled TPMS_TIME_INFO
 * (time, clock, resetCount, restartCount, safe) at `offset`. Digest:
 * H(old || TPM_CC_PolicyCounterTimer || H(operandB || offset || operation)).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; P2: offset beyond the structure), TPM_RC_RANGE (offset + size
 * beyond it), TPM_RC_POLICY (the condition does not hold).
 */
export const policyCounterTimer = defineCommand("PolicyCounterTimer", (tpm, { handles, params }) => {
  const { operandB, offset, operation } = params;
  const info = timeInfoBytes(tpm);
  if (offset > info.length) throw paramError(TPM_RC.VALUE, 2);
  if (offset + operandB.length > info.length) throw new TpmError(TPM_RC.RANGE);
  const session = policySessionAt(tpm, handles[0]!, 1);
  if (!isTrialSession(session) && !checkCondition(operation, info.subarray(offset, offset + operandB.length), Buffer.from(operandB))) {
    throw new TpmError(TPM_RC.POLICY);
  }
  const o = Buffer.alloc(4);
  o.writeUInt16BE(offset, 0);
  o.writeUInt16BE(operation, 2);
  const args = hashDigest(session.authHash, operandB, o);
  extendPolicy(session, TPM_CC.PolicyCounterTimer, args);
  return NO_RESPONSE;
});
