/**
 * What TPM2_RSA_Encrypt and TPM2_RSA_Decrypt share: the label rule, the scheme choice (CryptRsaSelectScheme) and
 * RSAEP/RSADP with the padding of each scheme, with libtpms's response codes (its CryptRsaEncrypt/Decrypt run on
 * OpenSSL: an encryption or a decryption OpenSSL refuses is TPM_RC_FAILURE, as swtpm 0.9 answers).
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import {
  TPM_ALG,
  TPM_RC,
  TpmError,
  hashInfo,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "../../../tpm2/index.js";

/** A TPMT_RSA_DECRYPT: RSAES, OAEP (with its hash) or NULL (raw RSA). */
export interface RsaDecryptScheme {
  scheme: number;
  details: unknown;
}

/** IsLabelProperlyFormatted: a label is empty or ends with its terminating zero octet. */
export function isLabelProperlyFormatted(label: Uint8Array): boolean {
  return label.length === 0 || label[label.length - 1] === 0;
}

function hashOf(scheme: RsaDecryptScheme): number {
  return (scheme.details as { hashAlg?: number } | undefined)?.hashAlg ?? TPM_ALG.NULL;
}

/**
 * CryptRsaSelectScheme: the caller's scheme when the key has none, the key's when the caller passes NULL, and
 * the caller's when both name the same scheme and hash; undefined when they differ.
 */
export function selectRsaScheme(pub: TPMT_PUBLIC, inScheme: RsaDecryptScheme): RsaDecryptScheme | undefined {
  const keyScheme = (pub.parameters as TPMS_RSA_PARMS).scheme as RsaDecryptScheme;
  if (keyScheme.scheme === TPM_ALG.NULL) return inScheme;
  if (inScheme.scheme === TPM_ALG.NULL) return keyScheme;
  if (keyScheme.scheme === inScheme.scheme && hashOf(keyScheme) === hashOf(inScheme)) return inScheme;
  return undefined;
}

function oaepOptions(key: KeyObject, scheme: RsaDecryptScheme, label: Uint8Array) {
  const hashAlg = hashOf(scheme);
  if (hashAlg === TPM_ALG.NULL) throw new TpmError(TPM_RC.VALUE);
  return {
    key,
    padding: constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: hashInfo(hashAlg).nodeName,
    ...(label.length > 0 ? { oaepLabel: Buffer.from(label) } : {}),
  };
}

/** The message right-aligned in a modulus-sized block; leading zeros beyond that size are dropped. */
function rawBlock(message: Uint8Array, size: number): Buffer {
  let start = 0;
  while (start < message.length && message[start] === 0) start++;
  const significant = message.subarray(start);
  if (significant.length > size) throw new TpmError(TPM_RC.VALUE);
  const block = Buffer.alloc(size);
  block.set(significant, size - significant.length);
  return block;
}

/**
 * CryptRsaEncrypt: RSAEP of the message padded by `scheme` (NULL: the raw value), as long as the modulus.
 * @throws TpmError TPM_RC_VALUE (raw value longer than the modulus, OAEP without a hash), TPM_RC_FAILURE (message
 *   too long for the padding, raw value not below the modulus); no parameter number, as libtpms.
 */
export function encryptRsa(
  key: KeyObject,
  modulusSize: number,
  scheme: RsaDecryptScheme,
  label: Uint8Array,
  message: Uint8Array,
): Buffer {
  let options;
  let data: Uint8Array = message;
  switch (scheme.scheme) {
    case TPM_ALG.NULL:
      data = rawBlock(message, modulusSize);
      options = { key, padding: constants.RSA_NO_PADDING };
      break;
    case TPM_ALG.RSAES:
      options = { key, padding: constants.RSA_PKCS1_PADDING };
      break;
    case TPM_ALG.OAEP:
      options = oaepOptions(key, scheme, label);
      break;
    default:
      throw new TpmError(TPM_RC.SCHEME);
  }
  try {
    return publicEncrypt(options, data);
  } catch {
    throw new TpmError(TPM_RC.FAILURE);
  }
}

/** RSAES-PKCS1-v1_5 decoding (RFC 8017 §7.2.2 step 3): EM = 0x00 ‖ 0x02 ‖ PS (≥ 8 non-zero) ‖ 0x00 ‖ M. */
function pkcs1Decode(em: Buffer): Buffer | undefined {
  if (em.length < 11 || em[0] !== 0x00 || em[1] !== 0x02) return undefined;
  const separator = em.indexOf(0x00, 2);
  if (separator < 10) return undefined;
  return em.subarray(separator + 1);
}

/**
 * CryptRsaDecrypt: RSADP of a modulus-sized ciphertext, then the padding of `scheme` removed (NULL: the whole
 * modulus-sized block).
 * @throws TpmError TPM_RC_SIZE (ciphertext not the modulus size), TPM_RC_FAILURE (does not decrypt or decode,
 *   or a raw value not below the modulus), TPM_RC_VALUE (OAEP without a hash), TPM_RC_SCHEME; no parameter number,
 *   as libtpms.
 */
export function decryptRsa(
  key: KeyObject,
  modulus: Uint8Array,
  scheme: RsaDecryptScheme,
  label: Uint8Array,
  cipherText: Uint8Array,
): Buffer {
  if (cipherText.length !== modulus.length) throw new TpmError(TPM_RC.SIZE);
  try {
    switch (scheme.scheme) {
      case TPM_ALG.OAEP:
        return privateDecrypt(oaepOptions(key, scheme, label), cipherText);
      case TPM_ALG.NULL:
      case TPM_ALG.RSAES: {
        // node refuses PKCS#1 v1.5 private decryption (Marvin attack): decode the raw block here
        const block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, cipherText);
        if (scheme.scheme === TPM_ALG.NULL) return block;
        const message = pkcs1Decode(block);
        if (!message) throw new TpmError(TPM_RC.FAILURE);
        return message;
      }
      default:
        throw new TpmError(TPM_RC.SCHEME);
    }
  } catch (e) {
    if (e instanceof TpmError) throw e;
    throw new TpmError(TPM_RC.FAILURE);
  }
}

