/**
 * Credential protection, Part 1 §24 (TPM2_MakeCredential / TPM2_ActivateCredential): a seed shared with the
 * holder of an EK's private key (RSA-OAEP or ECDH, Part 1 §11.4.10 "secret sharing"), then the seed's outer wrap
 * of the credential bound to an object Name. Pure functions, used by the emulator and by verifiers alike, plus the
 * tpm2-tools credential file format.
 */
import { randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { Reader, Writer, marshal, unmarshalPrefix } from "./codec.js";
import { TPM_ALG, TPM_RC } from "./constants.js";
import { TpmError } from "./errors.js";
import {
  TPM2B_DIGEST,
  TPM2B_ENCRYPTED_SECRET,
  TPM2B_ID_OBJECT,
  TPMS_ECC_POINT,
  type TPMS_ECC_PARMS,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
  type TPMT_SYM_DEF_OBJECT,
} from "./structures.js";
import { ecdhContext, eccCurveInfo, eccPublicKeyFromPoint, ecdhZ, ecdhZFromScalar, fixedLength } from "./crypto/ecc.js";
import { digestSize, hashInfo, hmac } from "./crypto/hash.js";
import { kdfa, kdfe } from "./crypto/kdf.js";
import { rsaOaepDecrypt, rsaOaepEncrypt, rsaPublicKeyFromModulus } from "./crypto/rsa.js";
import { aesCfbDecrypt, aesCfbEncrypt, AES_BLOCK_SIZE } from "./crypto/symmetric.js";

/** The label of credential protection (Part 1 §24.4); "IDENTITY\0" for OAEP, "IDENTITY" + 0x00 for KDFe. */
export const IDENTITY_LABEL = "IDENTITY";

/** The magic of tpm2-tools' credential file (tpm2_makecredential -o, tpm2_activatecredential -i). */
export const CREDENTIAL_FILE_MAGIC = 0xbadcc0de;
/** The only credential file version tpm2-tools writes. */
export const CREDENTIAL_FILE_VERSION = 1;

/** What MakeCredential returns: the contents of a TPM2B_ID_OBJECT and of a TPM2B_ENCRYPTED_SECRET. */
export interface CredentialBlob {
  /** TPM2B_DIGEST(integrityHMAC) ‖ encIdentity (Part 2 §12.4.3 TPMS_ID_OBJECT). */
  credentialBlob: Buffer;
  /** The seed, encrypted to the EK: an OAEP ciphertext (RSA) or a marshalled TPMS_ECC_POINT (ECC). */
  secret: Buffer;
}

const EMPTY = Buffer.alloc(0);
const UNCOMPRESSED_POINT = Buffer.of(0x04);

function rsaParameters(pub: TPMT_PUBLIC): TPMS_RSA_PARMS {
  return pub.parameters as TPMS_RSA_PARMS;
}

function eccParameters(pub: TPMT_PUBLIC): TPMS_ECC_PARMS {
  return pub.parameters as TPMS_ECC_PARMS;
}

/** The AES key size of a protector: its TPMT_SYM_DEF_OBJECT must be AES (Part 1 §24.4 uses CFB whatever the mode). */
function protectorKeyBits(pub: TPMT_PUBLIC): number {
  if (pub.type !== TPM_ALG.RSA && pub.type !== TPM_ALG.ECC) {
    throw new TpmError(TPM_RC.TYPE, { message: "a credential protector must be an RSA or ECC key" });
  }
  const sym: TPMT_SYM_DEF_OBJECT = pub.type === TPM_ALG.RSA ? rsaParameters(pub).symmetric : eccParameters(pub).symmetric;
  if (sym.algorithm !== TPM_ALG.AES || typeof sym.keyBits !== "number") {
    throw new TpmError(TPM_RC.SYMMETRIC, { message: "a credential protector needs an AES symmetric definition" });
  }
  return sym.keyBits;
}

/**
 * Part 1 §11.4.10.3 one-pass Diffie-Hellman from the sender's side: a fresh ephemeral key on the peer's curve and
 * Z = x(d_e·Q_peer) at full field size, with the ephemeral public point. Runs on a raw ECDH context: importing the
 * peer as a KeyObject and generating the ephemeral one as a key pair cost twice as much for the same operation.
 * @throws TpmError TPM_RC_CURVE for an unimplemented curve, TPM_RC_ECC_POINT when the peer point is not on it.
 */
function ephemeralEcdh(curveId: number, peer: TPMS_ECC_POINT): { z: Buffer; x: Buffer; y: Buffer } {
  const curve = eccCurveInfo(curveId);
  const px = fixedLength(peer.x, curve.byteLength);
  const py = fixedLength(peer.y, curve.byteLength);
  if (px === null || py === null) throw new TpmError(TPM_RC.ECC_POINT, { message: "ECC coordinate larger than the field" });
  const ecdh = ecdhContext(curve);
  // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ x ‖ y, each at full field size
  const ephemeral = ecdh.generateKeys();
  let z: Buffer;
  try {
    z = ecdh.computeSecret(Buffer.concat([UNCOMPRESSED_POINT, px, py]));
  } catch {
    throw new TpmError(TPM_RC.ECC_POINT, { message: "point is not on the curve" });
  }
  return { z, x: ephemeral.subarray(1, 1 + curve.byteLength), y: ephemeral.subarray(1 + curve.byteLength) };
}

/**
 * Creates a seed and encrypts it to `pub` (Part 1 §11.4.10 secret sharing, CryptSecretEncrypt of the reference
 * code): RSA — a random seed of the nameAlg's digest size, RSA-OAEP with the nameAlg and the label plus its 0x00;
 * ECC — an ephemeral key on the key's curve, seed = KDFe(nameAlg, Z, label, ephemeral.x, pub.x, digest bits).
 * @param label "IDENTITY" for credentials, "SECRET" for salts, "DUPLICATE" for imports.
 * @throws TpmError TPM_RC_TYPE for other key types, TPM_RC_HASH without a nameAlg, TPM_RC_ECC_POINT/CURVE for a
 *   bad ECC public key.
 */
export function encryptSeed(pub: TPMT_PUBLIC, label: string): { seed: Buffer; secret: Buffer } {
  const nameAlg = pub.nameAlg;
  const size = digestSize(nameAlg);
  if (pub.type === TPM_ALG.RSA) {
    const seed = randomBytes(size);
    const key = rsaPublicKeyFromModulus(pub.unique as Uint8Array, rsaParameters(pub).exponent);
    return { seed, secret: rsaOaepEncrypt(key, nameAlg, label, seed) };
  }
  if (pub.type === TPM_ALG.ECC) {
    const point = pub.unique as TPMS_ECC_POINT;
    const { z, x, y } = ephemeralEcdh(eccParameters(pub).curveID, point);
    const seed = kdfe(nameAlg, z, label, x, point.x, size * 8);
    return { seed, secret: marshal(TPMS_ECC_POINT, { x, y }) };
  }
  throw new TpmError(TPM_RC.TYPE, { message: "only RSA and ECC keys can receive a seed" });
}

/**
 * Recovers the seed of {@link encryptSeed} with the private key of `pub` (CryptSecretDecrypt). RSA: the secret must
 * be as long as the modulus and decrypt with OAEP(nameAlg, label) to at most a digest; ECC: the secret starts with a
 * TPMS_ECC_POINT on the key's curve (bytes after it are ignored, as in the reference code). The response codes are
 * libtpms's (its CryptRsaDecrypt), which differ from the reference code's TPM_RC_VALUE for the first two cases.
 * @param privateKey the key's private KeyObject, or for an ECC key its raw private scalar (no key import).
 * @throws TpmError TPM_RC_SIZE (RSA secret not the modulus size), TPM_RC_FAILURE (RSA secret does not decrypt:
 *   another key, label or hash), TPM_RC_VALUE (RSA key scheme not OAEP, seed longer than a digest),
 *   TPM_RC_ECC_POINT (point not on the curve), unmarshal codes such as TPM_RC_INSUFFICIENT; callers add the
 *   parameter number where the format allows; RangeError for an ECC scalar out of range.
 */
export function decryptSeed(pub: TPMT_PUBLIC, privateKey: KeyObject | Uint8Array, label: string, secret: Uint8Array): Buffer {
  const nameAlg = pub.nameAlg;
  if (pub.type === TPM_ALG.RSA) {
    const params = rsaParameters(pub);
    // A key scheme other than OAEP cannot carry a seed; NULL means OAEP with the nameAlg.
    const scheme = params.scheme.scheme === TPM_ALG.NULL ? TPM_ALG.OAEP : params.scheme.scheme;
    const hashAlg = params.scheme.scheme === TPM_ALG.NULL ? nameAlg : (params.scheme.details?.hashAlg ?? TPM_ALG.NULL);
    if (scheme !== TPM_ALG.OAEP || hashAlg === TPM_ALG.NULL) {
      throw new TpmError(TPM_RC.VALUE, { message: "the key's scheme cannot carry a seed" });
    }
    if (secret.length !== (pub.unique as Uint8Array).length) {
      throw new TpmError(TPM_RC.SIZE, { message: "secret is not the size of the modulus" });
    }
    if (privateKey instanceof Uint8Array) throw new TypeError("an RSA seed needs the private KeyObject");
    let seed: Buffer;
    try {
      seed = rsaOaepDecrypt(privateKey, hashAlg, label, secret);
    } catch {
      throw new TpmError(TPM_RC.FAILURE, { message: "secret does not decrypt with this key" });
    }
    if (seed.length > digestSize(hashAlg)) throw new TpmError(TPM_RC.VALUE, { message: "seed longer than a digest" });
    return seed;
  }
  if (pub.type === TPM_ALG.ECC) {
    const curveId = eccParameters(pub).curveID;
    const { value: ephemeral } = unmarshalPrefix(TPMS_ECC_POINT, secret);
    const z =
      privateKey instanceof Uint8Array
        ? ecdhZFromScalar(curveId, privateKey, ephemeral.x, ephemeral.y)
        : ecdhZ(privateKey, eccPublicKeyFromPoint(curveId, ephemeral.x, ephemeral.y));
    return kdfe(nameAlg, z, label, ephemeral.x, (pub.unique as TPMS_ECC_POINT).x, digestSize(nameAlg) * 8);
  }
  throw new TpmError(TPM_RC.TYPE, { message: "only RSA and ECC keys can receive a seed" });
}

function outerKeys(pub: TPMT_PUBLIC, seed: Uint8Array, objectName: Uint8Array): { symKey: Buffer; hmacKey: Buffer } {
  const nameAlg = pub.nameAlg;
  return {
    symKey: kdfa(nameAlg, seed, "STORAGE", objectName, EMPTY, protectorKeyBits(pub)),
    hmacKey: kdfa(nameAlg, seed, "INTEGRITY", EMPTY, EMPTY, hashInfo(nameAlg).digestSize * 8),
  };
}

/**
 * The outer wrap of a credential (SecretToCredential / ProduceOuterWrap, Part 1 §24.4–§24.5):
 * encIdentity = AES-CFB(KDFa(nameAlg, seed, "STORAGE", objectName, "", keyBits), IV = 0, TPM2B_DIGEST(credential));
 * integrity = HMAC(KDFa(nameAlg, seed, "INTEGRITY", "", "", digest bits), encIdentity ‖ objectName).
 * @returns the contents of the TPM2B_ID_OBJECT: TPM2B_DIGEST(integrity) ‖ encIdentity.
 * @throws TpmError TPM_RC_SIZE when the credential is longer than a digest of the protector's nameAlg.
 */
export function wrapCredential(
  protector: TPMT_PUBLIC,
  seed: Uint8Array,
  objectName: Uint8Array,
  credential: Uint8Array,
): Buffer {
  if (credential.length > digestSize(protector.nameAlg)) {
    throw new TpmError(TPM_RC.SIZE, { message: "credential longer than the protector's nameAlg digest" });
  }
  const { symKey, hmacKey } = outerKeys(protector, seed, objectName);
  const encIdentity = aesCfbEncrypt(symKey, Buffer.alloc(AES_BLOCK_SIZE), marshal(TPM2B_DIGEST, credential));
  const integrity = hmac(protector.nameAlg, hmacKey, encIdentity, objectName);
  return Buffer.concat([marshal(TPM2B_DIGEST, integrity), encIdentity]);
}

/**
 * TPM2_MakeCredential done outside a TPM (tpm2_makecredential -T none, go-tpm CreateCredential): a fresh seed
 * encrypted to `ekPublic` with the "IDENTITY" label, and the credential wrapped for the object whose Name is
 * `objectName`. Only the TPM holding the EK, with that object loaded, can open it (TPM2_ActivateCredential).
 * @throws TpmError TPM_RC_SIZE (credential too long), TPM_RC_TYPE / TPM_RC_SYMMETRIC (unusable EK).
 */
export function makeCredential(args: {
  ekPublic: TPMT_PUBLIC;
  objectName: Uint8Array;
  credential: Uint8Array;
}): CredentialBlob {
  const { ekPublic, objectName, credential } = args;
  const { seed, secret } = encryptSeed(ekPublic, IDENTITY_LABEL);
  return { credentialBlob: wrapCredential(ekPublic, seed, objectName, credential), secret };
}

/**
 * The core of TPM2_ActivateCredential once the seed is known (CredentialToSecret / UnwrapOuter): checks the
 * integrity HMAC over encIdentity ‖ objectName, decrypts, and returns the credential.
 * @param credentialBlob the contents of the TPM2B_ID_OBJECT.
 * @throws TpmError TPM_RC_INTEGRITY (wrong seed, Name or protector, or a modified blob), TPM_RC_SIZE /
 *   TPM_RC_INSUFFICIENT (malformed blob); callers add the parameter number.
 */
export function activateCredentialWithSeed(args: {
  ekPublic: TPMT_PUBLIC;
  seed: Uint8Array;
  objectName: Uint8Array;
  credentialBlob: Uint8Array;
}): Buffer {
  const { ekPublic, seed, objectName, credentialBlob } = args;
  const r = new Reader(credentialBlob);
  const integrity = TPM2B_DIGEST.read(r);
  const encIdentity = r.bytes(r.remaining);
  const { symKey, hmacKey } = outerKeys(ekPublic, seed, objectName);
  const expected = hmac(ekPublic.nameAlg, hmacKey, encIdentity, objectName);
  if (integrity.length !== expected.length || !timingSafeEqual(integrity, expected)) {
    throw new TpmError(TPM_RC.INTEGRITY, { message: "credential integrity check failed" });
  }
  const plain = aesCfbDecrypt(symKey, Buffer.alloc(AES_BLOCK_SIZE), encIdentity);
  const inner = new Reader(plain);
  const credential = TPM2B_DIGEST.read(inner);
  if (inner.remaining !== 0) throw new TpmError(TPM_RC.SIZE, { message: "trailing bytes after the credential" });
  return Buffer.from(credential);
}

/** tpm2-tools' credential file: magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (all big-endian). */
export function encodeCredentialFile(blob: CredentialBlob): Buffer {
  const w = new Writer();
  w.u32(CREDENTIAL_FILE_MAGIC);
  w.u32(CREDENTIAL_FILE_VERSION);
  TPM2B_ID_OBJECT.write(w, blob.credentialBlob);
  TPM2B_ENCRYPTED_SECRET.write(w, blob.secret);
  return w.finish();
}

/**
 * Reads a tpm2-tools credential file (see {@link encodeCredentialFile}).
 * @throws TpmError TPM_RC_VALUE for a wrong magic or version, TPM_RC_SIZE / TPM_RC_INSUFFICIENT for a malformed or
 *   oversized file or bytes after the secret.
 */
export function decodeCredentialFile(bytes: Uint8Array): CredentialBlob {
  const r = new Reader(bytes);
  const magic = r.u32();
  if (magic !== CREDENTIAL_FILE_MAGIC) {
    throw new TpmError(TPM_RC.VALUE, { field: "magic", message: `not a credential file (magic 0x${magic.toString(16)})` });
  }
  const version = r.u32();
  if (version !== CREDENTIAL_FILE_VERSION) {
    throw new TpmError(TPM_RC.VALUE, { field: "version", message: `unsupported credential file version ${version}` });
  }
  const credentialBlob = Buffer.from(TPM2B_ID_OBJECT.read(r));
  const secret = Buffer.from(TPM2B_ENCRYPTED_SECRET.read(r));
  if (r.remaining !== 0) throw new TpmError(TPM_RC.SIZE, { message: "bytes after the encrypted secret" });
  return { credentialBlob, secret };
}
