/**
 * The X.509 SubjectPublicKeyInfo of a TPM public area, encoded straight from its fields: the DER node:crypto exports
 * for the same key, without importing the key (a JWK import and an SPKI export cost about 0.3 ms per key, a large
 * part of an attestation's service CPU). The key is not validated (a point may be off its curve): callers compare
 * it with a key that was validated, or validate it elsewhere.
 */
import { TPM_ALG, TPM_ECC_CURVE, type TPMS_ECC_PARMS, type TPMS_ECC_POINT, type TPMS_RSA_PARMS, type TPMT_PUBLIC } from "../tpm2/index.js";
import { DER_TAG, encodeElement, encodeOid } from "./der.js";

/** RFC 5480 §2.1.1 id-ecPublicKey and the named curves (RFC 5480 §2.1.1.1), by TPM_ECC_CURVE. */
const EC_ALGORITHMS: ReadonlyMap<number, { readonly algorithm: Uint8Array; readonly fieldBytes: number }> = new Map(
  [
    { curve: TPM_ECC_CURVE.NIST_P256, oid: "1.2.840.10045.3.1.7", fieldBytes: 32 },
    { curve: TPM_ECC_CURVE.NIST_P384, oid: "1.3.132.0.34", fieldBytes: 48 },
    { curve: TPM_ECC_CURVE.NIST_P521, oid: "1.3.132.0.35", fieldBytes: 66 },
  ].map(({ curve, oid, fieldBytes }) => [
    curve,
    { algorithm: encodeElement(DER_TAG.sequence, encodeOid("1.2.840.10045.2.1"), encodeOid(oid)), fieldBytes },
  ]),
);

/** RFC 8017 Appendix A.1 rsaEncryption with NULL parameters. */
const RSA_ALGORITHM = encodeElement(DER_TAG.sequence, encodeOid("1.2.840.113549.1.1.1"), encodeElement(DER_TAG.null));
const RSA_DEFAULT_EXPONENT = 65537;
const UNUSED_BITS = Uint8Array.of(0);
const UNCOMPRESSED_POINT = Uint8Array.of(4);

function withoutLeadingZeros(octets: Uint8Array): Uint8Array {
  let first = 0;
  while (first < octets.length && octets[first] === 0) first++;
  return octets.subarray(first);
}

/** A positive INTEGER of big-endian magnitude `octets` (not zero). */
function positiveInteger(octets: Uint8Array): Uint8Array {
  return octets[0]! > 0x7f ? encodeElement(DER_TAG.integer, Uint8Array.of(0), octets) : encodeElement(DER_TAG.integer, octets);
}

/** A coordinate at the field's size, or undefined when it does not fit. */
function coordinate(octets: Uint8Array, fieldBytes: number): Uint8Array | undefined {
  const significant = withoutLeadingZeros(octets);
  if (significant.length > fieldBytes) return undefined;
  const padded = new Uint8Array(fieldBytes);
  padded.set(significant, fieldBytes - significant.length);
  return padded;
}

function exponentOctets(exponent: number): Uint8Array | undefined {
  const value = exponent === 0 ? RSA_DEFAULT_EXPONENT : exponent;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) return undefined;
  const octets = new Uint8Array(4);
  new DataView(octets.buffer).setUint32(0, value);
  return withoutLeadingZeros(octets);
}

/**
 * The DER SubjectPublicKeyInfo of an RSA or ECC (NIST P-256/384/521) public area, byte for byte what
 * `publicKeyOf(publicArea).export({ type: "spki", format: "der" })` gives for a valid key; undefined for other
 * types and curves or values that do not fit (callers fall back to that import).
 */
export function spkiOfTpmPublic(publicArea: TPMT_PUBLIC): Uint8Array | undefined {
  if (publicArea.type === TPM_ALG.RSA) {
    const modulus = withoutLeadingZeros(publicArea.unique as Uint8Array);
    const exponent = exponentOctets((publicArea.parameters as TPMS_RSA_PARMS).exponent);
    if (modulus.length === 0 || exponent === undefined || exponent.length === 0) return undefined;
    const rsaPublicKey = encodeElement(DER_TAG.sequence, positiveInteger(modulus), positiveInteger(exponent));
    return encodeElement(DER_TAG.sequence, RSA_ALGORITHM, encodeElement(DER_TAG.bitString, UNUSED_BITS, rsaPublicKey));
  }
  if (publicArea.type === TPM_ALG.ECC) {
    const curve = EC_ALGORITHMS.get((publicArea.parameters as TPMS_ECC_PARMS).curveID);
    const point = publicArea.unique as TPMS_ECC_POINT;
    if (curve === undefined) return undefined;
    const x = coordinate(point.x, curve.fieldBytes);
    const y = coordinate(point.y, curve.fieldBytes);
    if (x === undefined || y === undefined) return undefined;
    return encodeElement(DER_TAG.sequence, curve.algorithm, encodeElement(DER_TAG.bitString, UNUSED_BITS, UNCOMPRESSED_POINT, x, y));
  }
  return undefined;
}
