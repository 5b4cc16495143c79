import {
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from "node:crypto";
import { TPM_RC } from "../constants.js";
import { TpmError } from "../errors.js";
import { bigIntToBytes, bytesToBigInt, gcd, modInverse } from "./bigint.js";
import { hashInfo } from "./hash.js";

/** The exponent a TPMS_RSA_PARMS exponent of 0 stands for (Part 2, TPMS_RSA_PARMS). */
export const RSA_DEFAULT_EXPONENT = 65537;

function b64(value: bigint): string {
  return bigIntToBytes(value).toString("base64url");
}

function exponentOf(exponent: number): number {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 0xffffffff) {
    throw new RangeError(`bad RSA exponent ${exponent}`);
  }
  return exponent === 0 ? RSA_DEFAULT_EXPONENT : exponent;
}

/**
 * The RSA public key with `modulus` (TPM2B_PUBLIC_KEY_RSA octets) and `exponent` (TPMS_RSA_PARMS.exponent;
 * 0 means 65537).
 */
export function rsaPublicKeyFromModulus(modulus: Uint8Array, exponent: number): KeyObject {
  const n = bytesToBigInt(modulus);
  return createPublicKey({
    key: { kty: "RSA", n: b64(n), e: b64(BigInt(exponentOf(exponent))) },
    format: "jwk",
  });
}

/**
 * The TPM view of an RSA key (public or private): its modulus (no leading zeros, so 256 octets for RSA-2048) and
 * exponent, reported as 0 when it is 65537 (the TPM's default-exponent encoding).
 */
export function rsaModulusFromKey(key: KeyObject): { modulus: Buffer; exponent: number } {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || jwk.n === undefined || jwk.e === undefined) throw new TypeError("not an RSA key");
  const e = bytesToBigInt(Buffer.from(jwk.e, "base64url"));
  if (e > 0xffffffffn) throw new RangeError("RSA exponent does not fit a UINT32");
  const exponent = Number(e);
  return { modulus: Buffer.from(jwk.n, "base64url"), exponent: exponent === RSA_DEFAULT_EXPONENT ? 0 : exponent };
}

/** The prime p of an RSA private key: what TPMT_SENSITIVE holds for RSA (Part 2 TPMU_SENSITIVE_COMPOSITE). */
export function rsaPrimeFromKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || jwk.p === undefined) throw new TypeError("not an RSA private key");
  return Buffer.from(jwk.p, "base64url");
}

/** An RSA key pair built from its primes. */
export interface RsaKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** n, big-endian, no leading zeros. */
  readonly modulus: Buffer;
}

/**
 * The key pair with primes p and q and public exponent e (0 means 65537); d = e⁻¹ mod lcm(p−1, q−1) as in
 * FIPS 186-5 Appendix A.1, with the CRT values.
 * @throws RangeError when e is not coprime to p−1 and q−1, or p = q.
 */
export function rsaKeyPairFromPrimes(p: bigint, q: bigint, exponent: number): RsaKeyPair {
  if (p === q) throw new RangeError("RSA primes must differ");
  const e = BigInt(exponentOf(exponent));
  const n = p * q;
  const p1 = p - 1n;
  const q1 = q - 1n;
  const lambda = (p1 / gcd(p1, q1)) * q1;
  const d = modInverse(e, lambda);
  const publicJwk = { kty: "RSA", n: b64(n), e: b64(e) };
  const privateKey = createPrivateKey({
    key: { ...publicJwk, d: b64(d), p: b64(p), q: b64(q), dp: b64(d % p1), dq: b64(d % q1), qi: b64(modInverse(q, p)) },
    format: "jwk",
  });
  const publicKey = createPublicKey({ key: publicJwk, format: "jwk" });
  return { privateKey, publicKey, modulus: bigIntToBytes(n) };
}

/**
 * The private key of a loaded TPM RSA object: the public modulus and exponent plus the one prime of its sensitive
 * area (the other prime is n / p).
 * @throws TpmError TPM_RC_BINDING when `prime` does not divide the modulus.
 */
export function rsaPrivateKeyFromPrime(modulus: Uint8Array, exponent: number, prime: Uint8Array): RsaKeyPair {
  const n = bytesToBigInt(modulus);
  const p = bytesToBigInt(prime);
  if (p <= 1n || p >= n || n % p !== 0n) {
    throw new TpmError(TPM_RC.BINDING, { message: "RSA prime does not divide the modulus" });
  }
  try {
    return rsaKeyPairFromPrimes(p, n / p, exponent);
  } catch (e) {
    if (e instanceof RangeError) throw new TpmError(TPM_RC.BINDING, { message: e.message });
    throw e;
  }
}

/**
 * The OAEP label as the TPM uses it: a string gets its terminating 0x00 (e.g. "IDENTITY" → "IDENTITY\0", the
 * labels of Part 1 §24 "SECRET", "DUPLICATE", "IDENTITY"); octets are used as given (TPM2_RSA_Encrypt's label).
 */
export function rsaOaepLabel(label: string | Uint8Array): Buffer {
  return typeof label === "string" ? Buffer.from(`${label}\0`, "utf8") : Buffer.from(label);
}

function oaepOptions(key: KeyObject, hashAlg: number, label: string | Uint8Array) {
  const oaepLabel = rsaOaepLabel(label);
  return {
    key,
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: hashInfo(hashAlg).nodeName,
    ...(oaepLabel.length > 0 ? { oaepLabel } : {}),
  };
}

/**
 * RSAES-OAEP encryption with `hashAlg` for both the OAEP hash and MGF1, and a TPM label (see {@link rsaOaepLabel}).
 * @throws TpmError TPM_RC_VALUE when the message is too long for the key.
 */
export function rsaOaepEncrypt(
  publicKey: KeyObject,
  hashAlg: number,
  label: string | Uint8Array,
  data: Uint8Array,
): Buffer {
  const options = oaepOptions(publicKey, hashAlg, label);
  try {
    return publicEncrypt(options, data);
  } catch {
    throw new TpmError(TPM_RC.VALUE, { message: "message too long for RSA-OAEP" });
  }
}

/**
 * RSAES-OAEP decryption, the inverse of {@link rsaOaepEncrypt}.
 * @throws TpmError TPM_RC_VALUE when the ciphertext does not decrypt (wrong key, label or hash, or bad padding).
 */
export function rsaOaepDecrypt(
  privateKey: KeyObject,
  hashAlg: number,
  label: string | Uint8Array,
  data: Uint8Array,
): Buffer {
  const options = oaepOptions(privateKey, hashAlg, label);
  try {
    return privateDecrypt(options, data);
  } catch {
    throw new TpmError(TPM_RC.VALUE, { message: "RSA-OAEP decryption failed" });
  }
}
