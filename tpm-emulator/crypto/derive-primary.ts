import type { KeyObject } from "node:crypto";
import {
  RSA_DEFAULT_EXPONENT,
  TPM_RC,
  TpmError,
  bytesToBigInt,
  digestSize,
  eccCurveInfo,
  eccKeyPairFromScalar,
  type EccKeyPair,
  kdfa,
  rsaKeyPairFromPrimes,
} from "../../tpm2/index.js";
import { findPrime } from "./prime-search.js";
import { SeededDrbg } from "./seeded-drbg.js";

/**
 * KDF labels of primary-object derivation. Each use of (seed, template) has its own label, so the RSA primes,
 * the ECC scalar, symmetric key material and the seedValue of one template are independent of each other.
 */
export const DERIVE_LABEL = {
  RSA: "RSA PRIMES",
  ECC: "ECC SCALAR",
  SYMMETRIC: "SYMMETRIC KEY",
  SEED_VALUE: "SEED VALUE",
} as const;

/** Most attempts at a p, q pair with |p − q| large enough; each pair misses with probability ≈ 2⁻⁹⁹. */
const MAX_PAIRS = 16;

function checkTemplateDigest(templateDigest: Uint8Array): void {
  if (templateDigest.length === 0) throw new RangeError("templateDigest is empty");
}

/**
 * `length` octets bound to (seed, template, purpose): KDFa(nameAlg, seed, purpose, templateDigest, empty, 8·length).
 * @param templateDigest the nameAlg digest of the marshalled TPMT_PUBLIC template, `unique` included.
 */
export function deriveBytes(
  seed: Uint8Array,
  nameAlg: number,
  templateDigest: Uint8Array,
  purpose: string,
  length: number,
): Buffer {
  checkTemplateDigest(templateDigest);
  return kdfa(nameAlg, seed, purpose, templateDigest, Buffer.alloc(0), length * 8);
}

/** The key (SYMCIPHER) or HMAC key / data (KEYEDHASH) of a primary object: `length` derived octets. */
export function deriveSymmetricSeed(
  seed: Uint8Array,
  nameAlg: number,
  templateDigest: Uint8Array,
  length: number,
): Buffer {
  return deriveBytes(seed, nameAlg, templateDigest, DERIVE_LABEL.SYMMETRIC, length);
}

/** The seedValue of a primary object's TPMT_SENSITIVE (Part 2: digest size of nameAlg). */
export function deriveSeedValue(seed: Uint8Array, nameAlg: number, templateDigest: Uint8Array): Buffer {
  return deriveBytes(seed, nameAlg, templateDigest, DERIVE_LABEL.SEED_VALUE, digestSize(nameAlg));
}

/** A derived RSA key. */
export interface DerivedRsaKey {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  /** n, big-endian, exactly keyBits / 8 octets. */
  readonly modulus: Buffer;
}

/**
 * The RSA key of a primary object: a deterministic function of (seed, nameAlg, templateDigest, keyBits, exponent).
 * p and q come from {@link findPrime} on a DRBG keyed by the seed and bound to the template digest; they have
 * their two top bits set (n has exactly keyBits bits), |p − q| > 2^(keyBits/2 − 100) and gcd(e, (p−1)(q−1)) = 1
 * (FIPS 186-5 §A.1.3).
 * @param exponent TPMS_RSA_PARMS.exponent; 0 means 65537.
 * @throws TpmError TPM_RC_KEY_SIZE for a size other than 1024–4096 in steps of 16, TPM_RC_VALUE for an even or
 *   too small exponent, TPM_RC_NO_RESULT if no key was found (not expected to happen).
 */
export function deriveRsaPrimeKey(
  seed: Uint8Array,
  nameAlg: number,
  templateDigest: Uint8Array,
  keyBits: number,
  exponent: number,
): DerivedRsaKey {
  checkTemplateDigest(templateDigest);
  if (!Number.isInteger(keyBits) || keyBits < 1024 || keyBits > 4096 || keyBits % 16 !== 0) {
    throw new TpmError(TPM_RC.KEY_SIZE, { message: `unsupported RSA key size ${keyBits}` });
  }
  const e = exponent === 0 ? RSA_DEFAULT_EXPONENT : exponent;
  if (!Number.isInteger(e) || e < 3 || e > 0xffffffff || e % 2 === 0) {
    throw new TpmError(TPM_RC.VALUE, { message: `unsupported RSA exponent ${exponent}` });
  }
  const drbg = new SeededDrbg(nameAlg, seed, DERIVE_LABEL.RSA, templateDigest);
  const half = keyBits / 2;
  const minDistance = 1n << BigInt(half - 100);
  for (let pair = 0; pair < MAX_PAIRS; pair++) {
    const p = findPrime(drbg, half, BigInt(e));
    const q = p === null ? null : findPrime(drbg, half, BigInt(e));
    if (p === null || q === null) break;
    const distance = p > q ? p - q : q - p;
    if (distance <= minDistance) continue;
    // The larger prime first, so that TPMT_SENSITIVE's prime (JWK p) is a stable choice.
    const [big, small] = p > q ? [p, q] : [q, p];
    const key = rsaKeyPairFromPrimes(big, small, exponent);
    return { publicKey: key.publicKey, privateKey: key.privateKey, modulus: key.modulus };
  }
  throw new TpmError(TPM_RC.NO_RESULT, { message: "RSA key derivation found no primes" });
}

/** A derived ECC key and its public point. */
/** A derived ECC key: scalar and point at full field size; KeyObjects built on first use. */
export type DerivedEccKey = EccKeyPair;

/**
 * The ECC key of a primary object: the private scalar d is drawn from a DRBG keyed by the seed and bound to the
 * template digest, rejecting values outside [1, n − 1] (FIPS 186-5 §A.2.2, rejection sampling).
 * @throws TpmError TPM_RC_CURVE for an unimplemented curve.
 */
export function deriveEccKey(
  seed: Uint8Array,
  nameAlg: number,
  templateDigest: Uint8Array,
  curve: number,
): DerivedEccKey {
  checkTemplateDigest(templateDigest);
  const info = eccCurveInfo(curve);
  const drbg = new SeededDrbg(nameAlg, seed, DERIVE_LABEL.ECC, templateDigest);
  const excessBits = info.byteLength * 8 - info.order.toString(2).length;
  for (;;) {
    const candidate = drbg.next(info.byteLength);
    // Drop the bits above the order's length (P-521) so that rejection is rare on every curve.
    candidate[0] = candidate[0]! & (0xff >> excessBits);
    const d = bytesToBigInt(candidate);
    if (d !== 0n && d < info.order) return eccKeyPairFromScalar(curve, candidate);
  }
}
