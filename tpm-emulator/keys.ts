/**
 * Keys of loaded objects: their node:crypto KeyObjects (built once, kept in `object.cache`), the choice of a
 * signing scheme (CryptSelectSignScheme of the reference code), and signing and verifying a digest with the TPM's
 * schemes RSASSA, RSAPSS, ECDSA, ECDAA (signing only) and HMAC. node:crypto only signs messages it hashes itself,
 * so the digest-level encodings (EMSA-PKCS1-v1_5 DigestInfo, EMSA-PSS, ECDSA over a given digest) are done here on
 * top of its raw RSA and EC primitives.
 */
import { constants, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import {
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPMA_OBJECT,
  TpmError,
  bigIntToBytes,
  bytesToBigInt,
  eccCurveInfo,
  eccKeyPairFromScalar,
  ecdhContext,
  hashDigest,
  hashInfo,
  hmac,
  modInverse,
  publicKeyOf,
  rsaPrivateKeyFromPrime,
  type EccCurveInfo,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
  type TPMS_KEYEDHASH_PARMS,
  type TPMS_RSA_PARMS,
  type TPMT_SIG_SCHEME,
  type TPMT_SIGNATURE,
} from "../tpm2/index.js";
import { INFINITY, curveArithmetic, type Jacobian } from "./ecc-arithmetic.js";
import type { CommitLedger } from "./ecc-commit.js";
import type { TpmObject } from "./objects.js";
import type { Tpm } from "./tpm.js";

const A = TPM_ALG;

// ---------------------------------------------------------------------------------------------------------------
// handles and key objects

/**
 * The object a TPMI_DH_OBJECT handle refers to. The dispatcher has already checked that transient and persistent
 * handles exist; any other kind of handle is what the reference unmarshal code rejects as TPM_RC_VALUE.
 * @param n the handle's position in the handle area (1-based), for the response code.
 */
export function keyAt(tpm: Tpm, handle: number, n: number): TpmObject {
  const object = tpm.object(handle);
  if (!object) throw new TpmError(TPM_RC.VALUE).at("handle", n);
  return object;
}

/** A TPMI_DH_OBJECT+ signing handle: TPM_RH_NULL (no signer: a NULL signature) or a loaded object. */
export function signerAt(tpm: Tpm, handle: number, n: number): TpmObject | undefined {
  return handle === TPM_RH.NULL ? undefined : keyAt(tpm, handle, n);
}

/** The public key of an RSA or ECC object. */
export function publicKeyObject(object: TpmObject): KeyObject {
  object.cache.publicKey ??= publicKeyOf(object.publicArea);
  return object.cache.publicKey;
}

/**
 * The private key of an RSA or ECC object, from its sensitive area (RSA: one prime; ECC: the scalar).
 * @throws TpmError TPM_RC_HANDLE for a public-only object, TPM_RC_TYPE for other object types, TPM_RC_BINDING when
 *   the sensitive area does not match the public area.
 */
export function privateKeyObject(object: TpmObject): KeyObject {
  if (object.cache.privateKey) return object.cache.privateKey;
  const sensitive = object.sensitive;
  if (!sensitive) throw new TpmError(TPM_RC.HANDLE, { message: "public-only object" });
  const pub = object.publicArea;
  let key: KeyObject;
  if (pub.type === A.RSA) {
    const modulus = pub.unique as Uint8Array;
    key = rsaPrivateKeyFromPrime(modulus, (pub.parameters as TPMS_RSA_PARMS).exponent, sensitive.sensitive).privateKey;
  } else if (pub.type === A.ECC) {
    try {
      key = eccKeyPairFromScalar((pub.parameters as TPMS_ECC_PARMS).curveID, sensitive.sensitive).privateKey;
    } catch (e) {
      if (e instanceof RangeError) throw new TpmError(TPM_RC.BINDING, { message: e.message });
      throw e;
    }
  } else {
    throw new TpmError(TPM_RC.TYPE, { message: "only RSA and ECC objects have a private key" });
  }
  object.cache.privateKey = key;
  return key;
}

/**
 * The private scalar of an ECC object at the curve's size, checked to be in [1, n−1]: what ECDH on the shared
 * per-curve context needs, without importing a KeyObject.
 * @throws TpmError TPM_RC_HANDLE for a public-only object, TPM_RC_TYPE for a non-ECC object, TPM_RC_BINDING when
 *   the scalar is out of range.
 */
export function eccPrivateScalar(object: TpmObject): Buffer {
  const sensitive = object.sensitive;
  if (!sensitive) throw new TpmError(TPM_RC.HANDLE, { message: "public-only object" });
  const pub = object.publicArea;
  if (pub.type !== A.ECC) throw new TpmError(TPM_RC.TYPE, { message: "not an ECC object" });
  const curve = eccCurveInfo((pub.parameters as TPMS_ECC_PARMS).curveID);
  const d = (object.cache.eccScalar ??= bytesToBigInt(sensitive.sensitive));
  if (d <= 0n || d >= curve.order) throw new TpmError(TPM_RC.BINDING, { message: "ECC private scalar out of range" });
  return bigIntToBytes(d, curve.byteLength);
}

// ---------------------------------------------------------------------------------------------------------------
// scheme selection

/** Scheme id and hash of a TPMT_SIG_SCHEME-like value (TPM_ALG_NULL hash for the NULL scheme). */
function schemeParts(scheme: { scheme: number; details: unknown }): { scheme: number; hashAlg: number } {
  const details = scheme.details as { hashAlg?: number } | undefined;
  return { scheme: scheme.scheme, hashAlg: details?.hashAlg ?? A.NULL };
}

/** The hash algorithm of a signing scheme (TPM_ALG_NULL for the NULL scheme). */
export function schemeHashAlg(scheme: TPMT_SIG_SCHEME): number {
  return schemeParts(scheme).hashAlg;
}

/** The NULL signing scheme. */
export const NULL_SIG_SCHEME: TPMT_SIG_SCHEME = { scheme: A.NULL, details: undefined };

/** Part 3 §18.1 / §20.2 IsSigningObject: TPM_RH_NULL, or an object with `sign` that is not a symmetric cipher. */
export function isSigningObject(object: TpmObject | undefined): boolean {
  if (!object) return true;
  const pub = object.publicArea;
  return (pub.objectAttributes & TPMA_OBJECT.sign) !== 0 && pub.type !== A.SYMCIPHER;
}

/** The signing schemes each key type can sign with (RSASSA/RSAPSS, ECDSA/ECDAA, HMAC). */
const SIGN_SCHEMES: ReadonlyMap<number, readonly number[]> = new Map([
  [A.RSA, [A.RSASSA, A.RSAPSS]],
  [A.ECC, [A.ECDSA, A.ECDAA]],
  [A.KEYEDHASH, [A.HMAC]],
]);

/**
 * The scheme a signature will use (CryptSelectSignScheme): the key's own scheme when the caller passes NULL, the
 * caller's scheme when the key has none, and the caller's when both are set and equal (scheme and hash; the
 * caller's carries the commit counter of a split scheme). A NULL signer always gets the NULL scheme. As libtpms
 * does, a scheme the key type cannot sign with is refused here too.
 * @param n the parameter number of inScheme, for the response code.
 * @throws TpmError TPM_RC_SCHEME + parameter n: both NULL, or both set and different, a split scheme (ECDAA) the
 *   caller left NULL (it must name the commit counter), a scheme that does not suit the key type, or an object that
 *   cannot sign.
 */
export function selectSignScheme(object: TpmObject | undefined, inScheme: TPMT_SIG_SCHEME, n: number): TPMT_SIG_SCHEME {
  const schemeError = () => new TpmError(TPM_RC.SCHEME).at("parameter", n);
  if (!object) return NULL_SIG_SCHEME;
  if (!isSigningObject(object)) throw schemeError();
  const pub = object.publicArea;
  const keyScheme = schemeParts((pub.parameters as TPMS_RSA_PARMS | TPMS_ECC_PARMS | TPMS_KEYEDHASH_PARMS).scheme);
  const wanted = schemeParts(inScheme);
  let chosen: TPMT_SIG_SCHEME;
  if (keyScheme.scheme === A.NULL) {
    if (wanted.scheme === A.NULL) throw schemeError();
    chosen = inScheme;
  } else if (wanted.scheme === A.NULL) {
    if (keyScheme.scheme === A.ECDAA) throw schemeError();
    chosen = { scheme: keyScheme.scheme, details: { hashAlg: keyScheme.hashAlg } };
  } else {
    if (keyScheme.scheme !== wanted.scheme || keyScheme.hashAlg !== wanted.hashAlg) throw schemeError();
    chosen = inScheme;
  }
  if (!SIGN_SCHEMES.get(pub.type)?.includes(chosen.scheme)) throw schemeError();
  return chosen;
}

// ---------------------------------------------------------------------------------------------------------------
// RSA: EMSA-PKCS1-v1_5 and EMSA-PSS over a digest (RFC 8017 §9)

/** DER of DigestInfo's AlgorithmIdentifier and the OCTET STRING header (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: ReadonlyMap<number, Buffer> = new Map([
  [A.SHA1, Buffer.from("3021300906052b0e03021a05000414", "hex")],
  [A.SHA256, Buffer.from("3031300d060960864801650304020105000420", "hex")],
  [A.SHA384, Buffer.from("3041300d060960864801650304020205000430", "hex")],
  [A.SHA512, Buffer.from("3051300d060960864801650304020305000440", "hex")],
]);

function digestInfo(hashAlg: number, digest: Uint8Array): Buffer {
  const prefix = DIGEST_INFO_PREFIX.get(hashAlg);
  if (!prefix) throw new TpmError(TPM_RC.SCHEME);
  // RSASSA_Encode of the reference code: a digest of another size would be misidentified by the DER
  if (digest.length !== hashInfo(hashAlg).digestSize) throw new TpmError(TPM_RC.VALUE);
  return Buffer.concat([prefix, digest]);
}

function mgf1(hashAlg: number, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 0, have = 0; have < length; i++) {
    counter.writeUInt32BE(i);
    const block = hashDigest(hashAlg, seed, counter);
    blocks.push(block);
    have += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInto(target: Buffer, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = target[i]! ^ mask[i]!;
}

interface RsaGeometry {
  modulusBytes: number;
  emBits: number;
  emLen: number;
}

function rsaGeometry(modulus: Uint8Array): RsaGeometry {
  const modBits = bytesToBigInt(modulus).toString(2).length;
  const emBits = modBits - 1;
  return { modulusBytes: Math.ceil(modBits / 8), emBits, emLen: Math.ceil(emBits / 8) };
}

/** EMSA-PSS-ENCODE with the salt as long as the digest when it fits (the reference code's PssEncode). */
function pssEncode(hashAlg: number, digest: Uint8Array, g: RsaGeometry): Buffer {
  const hLen = hashInfo(hashAlg).digestSize;
  if (g.emLen < hLen + 2) throw new TpmError(TPM_RC.SIZE);
  const sLen = Math.min(hLen, g.emLen - hLen - 2);
  const salt = randomBytes(sLen);
  const h = hashDigest(hashAlg, Buffer.alloc(8), digest, salt);
  const db = Buffer.alloc(g.emLen - hLen - 1);
  db[db.length - sLen - 1] = 0x01;
  salt.copy(db, db.length - sLen);
  xorInto(db, mgf1(hashAlg, h, db.length));
  db[0] = db[0]! & (0xff >> (8 * g.emLen - g.emBits));
  const em = Buffer.concat([db, h, Buffer.of(0xbc)]);
  return Buffer.concat([Buffer.alloc(g.modulusBytes - g.emLen), em]);
}

/** EMSA-PSS-VERIFY with any salt length (the reference code's PssDecode recovers it). */
function pssMatches(hashAlg: number, digest: Uint8Array, block: Buffer, g: RsaGeometry): boolean {
  const hLen = hashInfo(hashAlg).digestSize;
  if (digest.length !== hLen || g.emLen < hLen + 2) return false;
  const lead = block.subarray(0, g.modulusBytes - g.emLen);
  if (lead.some((b) => b !== 0)) return false;
  const em = block.subarray(g.modulusBytes - g.emLen);
  if (em[em.length - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, g.emLen - hLen - 1));
  const h = em.subarray(g.emLen - hLen - 1, g.emLen - 1);
  const topMask = (0xff << (8 - (8 * g.emLen - g.emBits))) & 0xff;
  if (db[0]! & topMask) return false;
  xorInto(db, mgf1(hashAlg, h, db.length));
  db[0] = db[0]! & ~topMask;
  const one = db.findIndex((b) => b !== 0);
  if (one < 0 || db[one] !== 0x01) return false;
  const expected = hashDigest(hashAlg, Buffer.alloc(8), digest, db.subarray(one + 1));
  return timingSafeEqual(expected, h);
}

function rsaSign(object: TpmObject, sigAlg: number, hashAlg: number, digest: Uint8Array): TPMT_SIGNATURE {
  const key = privateKeyObject(object);
  const modulus = object.publicArea.unique as Uint8Array;
  const sig =
    sigAlg === A.RSASSA
      ? privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hashAlg, digest))
      : privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, pssEncode(hashAlg, digest, rsaGeometry(modulus)));
  return { sigAlg, signature: { hash: hashAlg, sig } };
}

function rsaVerifies(object: TpmObject, signature: TPMT_SIGNATURE, digest: Uint8Array): boolean {
  const { hash, sig } = signature.signature as { hash: number; sig: Uint8Array };
  const modulus = object.publicArea.unique as Uint8Array;
  if (sig.length !== modulus.length) return false;
  const key = publicKeyObject(object);
  try {
    if (signature.sigAlg === A.RSASSA) {
      const expected = digestInfo(hash, digest);
      const got = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
      return got.length === expected.length && timingSafeEqual(got, expected);
    }
    return pssMatches(hash, digest, publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig), rsaGeometry(modulus));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// ECDSA over a digest (SEC 1 §4.1.3 / §4.1.4); k·G by OpenSSL, the rest in bigint arithmetic

/** k·G through OpenSSL (ECDH's public key of private key k); k must be in [1, n−1]. */
function multiplyGenerator(curve: EccCurveInfo, k: bigint): Jacobian {
  const ecdh = ecdhContext(curve);
  ecdh.setPrivateKey(bigIntToBytes(k, curve.byteLength));
  const point = ecdh.getPublicKey();
  return {
    x: bytesToBigInt(point.subarray(1, 1 + curve.byteLength)),
    y: bytesToBigInt(point.subarray(1 + curve.byteLength)),
    z: 1n,
  };
}

const orderBits = new Map<bigint, number>();

/** The digest as an integer, keeping its leftmost bits when it is longer than the order (SEC 1 §4.1.3 step 5). */
function digestInteger(digest: Uint8Array, order: bigint): bigint {
  let bits = orderBits.get(order);
  if (bits === undefined) orderBits.set(order, (bits = order.toString(2).length));
  const e = bytesToBigInt(digest);
  const excess = digest.length * 8 - bits;
  return excess > 0 ? e >> BigInt(excess) : e;
}

/** A one-time ECDSA nonce k with k⁻¹ mod n and r = x(k·G) mod n (SEC 1 §4.1.3 steps 1–4). */
interface EcdsaNonce {
  kInverse: bigint;
  r: bigint;
}

/** Nonces made per batch: one modular inversion serves them all (Montgomery's trick). */
const NONCE_BATCH = 32;
const noncePools = new Map<number, EcdsaNonce[]>();

/**
 * A fresh nonce of `curve`. k and k·G come from OpenSSL's key generation (k uniform in [1, n−1]); the inverses of a
 * batch are computed together, since a bigint inversion costs more than the point multiplication.
 */
function nextNonce(curve: EccCurveInfo): EcdsaNonce {
  let pool = noncePools.get(curve.curveId);
  if (pool === undefined) noncePools.set(curve.curveId, (pool = []));
  const ready = pool.pop();
  if (ready) return ready;
  const n = curve.order;
  const ecdh = ecdhContext(curve);
  const ks: bigint[] = [];
  const rs: bigint[] = [];
  while (ks.length < NONCE_BATCH) {
    const point = ecdh.generateKeys();
    const r = bytesToBigInt(point.subarray(1, 1 + curve.byteLength)) % n;
    if (r === 0n) continue;
    ks.push(bytesToBigInt(ecdh.getPrivateKey()));
    rs.push(r);
  }
  // prefix[i] = k₀·…·k_(i−1); walking back from (k₀·…·k_last)⁻¹ peels off one inverse per step
  const prefix: bigint[] = [1n];
  for (const k of ks) prefix.push((prefix[prefix.length - 1]! * k) % n);
  let inverse = modInverse(prefix[ks.length]!, n);
  for (let i = ks.length - 1; i >= 0; i--) {
    pool.push({ kInverse: (inverse * prefix[i]!) % n, r: rs[i]! });
    inverse = (inverse * ks[i]!) % n;
  }
  return pool.pop()!;
}

function ecdsaSign(object: TpmObject, hashAlg: number, digest: Uint8Array): TPMT_SIGNATURE {
  const sensitive = object.sensitive;
  if (!sensitive) throw new TpmError(TPM_RC.HANDLE, { message: "public-only object" });
  const curve = eccCurveInfo((object.publicArea.parameters as TPMS_ECC_PARMS).curveID);
  const n = curve.order;
  const d = (object.cache.eccScalar ??= bytesToBigInt(sensitive.sensitive));
  if (d <= 0n || d >= n) throw new TpmError(TPM_RC.BINDING, { message: "ECC private scalar out of range" });
  const e = digestInteger(digest, n);
  for (;;) {
    const { kInverse, r } = nextNonce(curve);
    const s = (kInverse * (e + r * d)) % n;
    if (s === 0n) continue;
    return {
      sigAlg: A.ECDSA,
      signature: { hash: hashAlg, signatureR: bigIntToBytes(r, curve.byteLength), signatureS: bigIntToBytes(s, curve.byteLength) },
    };
  }
}

function ecdsaVerifies(object: TpmObject, signature: TPMT_SIGNATURE, digest: Uint8Array): boolean {
  const curveId = (object.publicArea.parameters as TPMS_ECC_PARMS).curveID;
  const curve = eccCurveInfo(curveId);
  const arithmetic = curveArithmetic(curveId);
  if (arithmetic === undefined) return false;
  const n = curve.order;
  const { signatureR, signatureS } = signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
  const r = bytesToBigInt(signatureR);
  const s = bytesToBigInt(signatureS);
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const point = object.publicArea.unique as TPMS_ECC_POINT;
  const Q: Jacobian = { x: bytesToBigInt(point.x), y: bytesToBigInt(point.y), z: 1n };
  const w = modInverse(s, n);
  const u1 = (digestInteger(digest, n) * w) % n;
  const u2 = (r * w) % n;
  const u1G = u1 === 0n ? INFINITY : multiplyGenerator(curve, u1);
  const x = arithmetic.affineX(arithmetic.add(u1G, arithmetic.multiply(u2, Q)));
  return x !== undefined && x % n === r;
}

// ---------------------------------------------------------------------------------------------------------------
// ECDAA, the signing half of a split signature (Part 1 Annex C; the reference's BnSignEcdaa)

/** A uniform scalar in [1, n−1] (FIPS 186-4 B.4.1: 64 extra random bits, reduced mod n−1, plus 1). */
function randomScalar(n: bigint, byteLength: number): bigint {
  return (bytesToBigInt(randomBytes(byteLength + 8)) % (n - 1n)) + 1n;
}

/**
 * s = r + T·d mod n, with r the commitment `count` names, nonceK a fresh random scalar and T = H(nonceK ‖ digest)
 * mod n; the signature is (nonceK, s) and the commitment is used up.
 * @throws TpmError TPM_RC_VALUE when `count` names no outstanding commitment (no parameter number, as the reference
 *   returns it).
 */
function ecdaaSign(object: TpmObject, hashAlg: number, count: number, digest: Uint8Array, commits: CommitLedger): TPMT_SIGNATURE {
  const sensitive = object.sensitive;
  if (!sensitive) throw new TpmError(TPM_RC.HANDLE, { message: "public-only object" });
  const curve = eccCurveInfo((object.publicArea.parameters as TPMS_ECC_PARMS).curveID);
  const n = curve.order;
  const d = bytesToBigInt(sensitive.sensitive);
  const r = commits.r(curve, count, object.name);
  if (r === undefined) throw new TpmError(TPM_RC.VALUE, { message: "no outstanding commitment with this counter" });
  for (;;) {
    // nonceK goes out, and into the hash, without leading zero octets (BnTo2B with size 0)
    const nonceK = bigIntToBytes(randomScalar(n, curve.byteLength));
    const t = bytesToBigInt(hashDigest(hashAlg, nonceK, digest)) % n;
    if (t === 0n) continue;
    const s = (r + t * d) % n;
    if (s === 0n) continue;
    commits.end(count);
    return { sigAlg: A.ECDAA, signature: { hash: hashAlg, signatureR: nonceK, signatureS: bigIntToBytes(s, curve.byteLength) } };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HMAC (keyed-hash objects)

function hmacDigest(object: TpmObject, hashAlg: number, digest: Uint8Array): Buffer {
  const sensitive = object.sensitive;
  if (!sensitive) throw new TpmError(TPM_RC.HANDLE, { message: "public-only object" });
  return hmac(hashAlg, sensitive.sensitive, digest);
}

// ---------------------------------------------------------------------------------------------------------------
// sign and verify

/**
 * Signs `digest` with `object` under `scheme` (CryptSign): RSASSA/RSAPSS for RSA keys, ECDSA and ECDAA for ECC keys,
 * HMAC for keyed-hash keys; the NULL scheme gives the NULL signature.
 * @param commits the TPM's commit state, which ECDAA signing uses (and without which it is refused).
 * @throws TpmError TPM_RC_SCHEME (scheme does not suit the key), TPM_RC_VALUE (RSASSA digest of the wrong size,
 *   ECDAA counter with no outstanding commitment); codes without a handle or parameter number, as the reference
 *   code returns them.
 */
export function signDigest(object: TpmObject, scheme: TPMT_SIG_SCHEME, digest: Uint8Array, commits?: CommitLedger): TPMT_SIGNATURE {
  const { scheme: sigAlg, hashAlg } = schemeParts(scheme);
  if (sigAlg === A.NULL) return { sigAlg: A.NULL, signature: undefined };
  switch (object.publicArea.type) {
    case A.RSA:
      if (sigAlg !== A.RSASSA && sigAlg !== A.RSAPSS) break;
      return rsaSign(object, sigAlg, hashAlg, digest);
    case A.ECC:
      if (sigAlg === A.ECDSA) return ecdsaSign(object, hashAlg, digest);
      if (sigAlg !== A.ECDAA || !commits) break;
      return ecdaaSign(object, hashAlg, (scheme.details as { count: number }).count, digest, commits);
    case A.KEYEDHASH:
      if (sigAlg !== A.HMAC) break;
      return { sigAlg, signature: { hashAlg, digest: hmacDigest(object, hashAlg, digest) } };
  }
  throw new TpmError(TPM_RC.SCHEME);
}

/**
 * Checks `signature` over `digest` with `object` (CryptValidateSignature).
 * @throws TpmError TPM_RC_SCHEME (signature algorithm does not suit the key), TPM_RC_SIGNATURE (does not verify,
 *   or an HMAC signature with another scheme than the key's), TPM_RC_HANDLE (HMAC check with a public-only key);
 *   no parameter number (TPM2_VerifySignature adds it).
 */
export function verifySignature(object: TpmObject, digest: Uint8Array, signature: TPMT_SIGNATURE): void {
  if (signature.sigAlg === A.NULL) throw new TpmError(TPM_RC.SIGNATURE);
  const pub = object.publicArea;
  let ok: boolean;
  switch (pub.type) {
    case A.RSA:
      if (signature.sigAlg !== A.RSASSA && signature.sigAlg !== A.RSAPSS) throw new TpmError(TPM_RC.SCHEME);
      ok = rsaVerifies(object, signature, digest);
      break;
    case A.ECC:
      if (signature.sigAlg !== A.ECDSA) throw new TpmError(TPM_RC.SCHEME);
      ok = ecdsaVerifies(object, signature, digest);
      break;
    case A.KEYEDHASH: {
      if (!object.sensitive) throw new TpmError(TPM_RC.HANDLE);
      const { hashAlg, digest: mac } = signature.signature as { hashAlg: number; digest: Uint8Array };
      if (signature.sigAlg !== A.HMAC || hashAlg === A.NULL) throw new TpmError(TPM_RC.SCHEME);
      // a key with a scheme only validates signatures of that scheme, so a weaker hash cannot be slipped in
      const keyScheme = schemeParts((pub.parameters as TPMS_KEYEDHASH_PARMS).scheme);
      if (keyScheme.scheme !== A.NULL && (keyScheme.scheme !== A.HMAC || keyScheme.hashAlg !== hashAlg)) {
        throw new TpmError(TPM_RC.SIGNATURE);
      }
      const expected = hmacDigest(object, hashAlg, digest);
      ok = expected.length === mac.length && timingSafeEqual(expected, mac);
      break;
    }
    default:
      throw new TpmError(TPM_RC.SCHEME);
  }
  if (!ok) throw new TpmError(TPM_RC.SIGNATURE);
}
