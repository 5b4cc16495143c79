/** The comparisons of TPM2_PolicyNV (Part 2 §6.8 TPM_EO; the reference's PolicySptCheckCondition). */
import { TPM_EO } from "../../../tpm2/index.js";

/** Compares two equal-length big-endian unsigned numbers: negative, zero or positive. */
function compareUnsigned(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Compares two equal-length big-endian signed numbers the way the reference's SignedCompareB does, which libtpms,
 * the Microsoft simulator and the tpm2-tools suite share: a different sign decides, and when both are negative the
 * unsigned comparison is reversed (so 0x81 compares above 0x82, unlike two's complement).
 */
function compareSigned(a: Uint8Array, b: Uint8Array): number {
  const negA = (a[0] ?? 0) >= 0x80;
  const negB = (b[0] ?? 0) >= 0x80;
  if (negA !== negB) return negA ? -1 : 1;
  return negA ? -compareUnsigned(a, b) : compareUnsigned(a, b);
}

function everyByte(a: Uint8Array, b: Uint8Array, ok: (x: number, y: number) => boolean): boolean {
  return b.every((y, i) => ok(a[i] ?? 0, y));
}

/**
 * Whether `operation` holds between operand A (the NV data) and operand B, both of B's length: arithmetic
 * comparisons treat them as big-endian numbers; BITSET asks that every bit set in B is set in A, BITCLEAR that
 * every bit set in B is clear in A.
 */
export function checkCondition(operation: number, a: Uint8Array, b: Uint8Array): boolean {
  switch (operation) {
    case TPM_EO.EQ:
      return compareUnsigned(a, b) === 0;
    case TPM_EO.NEQ:
      return compareUnsigned(a, b) !== 0;
    case TPM_EO.SIGNED_GT:
      return compareSigned(a, b) > 0;
    case TPM_EO.UNSIGNED_GT:
      return compareUnsigned(a, b) > 0;
    case TPM_EO.SIGNED_LT:
      return compareSigned(a, b) < 0;
    case TPM_EO.UNSIGNED_LT:
      return compareUnsigned(a, b) < 0;
    case TPM_EO.SIGNED_GE:
      return compareSigned(a, b) >= 0;
    case TPM_EO.UNSIGNED_GE:
      return compareUnsigned(a, b) >= 0;
    case TPM_EO.SIGNED_LE:
      return compareSigned(a, b) <= 0;
    case TPM_EO.UNSIGNED_LE:
      return compareUnsigned(a, b) <= 0;
    case TPM_EO.BITSET:
      return everyByte(a, b, (x, y) => (x & y) === y);
    case TPM_EO.BITCLEAR:
      return everyByte(a, b, (x, y) => (x & y) === 0);
    default:
      return false;
  }
}
