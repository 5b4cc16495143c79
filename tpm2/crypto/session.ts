import { hashDigest, hashInfo, hmac } from "./hash.js";
import { kdfa } from "./kdf.js";

const EMPTY = Buffer.alloc(0);

/**
 * An authValue as it enters an HMAC key: without trailing zero octets (Part 1, "Authorization Size Convention"),
 * so that "ab" and "ab\0\0" authorize alike. Returns a view, not a copy.
 */
export function trimAuthValue(authValue: Uint8Array): Uint8Array {
  let end = authValue.length;
  while (end > 0 && authValue[end - 1] === 0) end--;
  return authValue.subarray(0, end);
}

/** The HMAC and parameter-encryption key sessionKey || authValue (Part 1 §19.6.5), authValue trimmed. */
export function sessionAuthKey(sessionKey: Uint8Array, authValue: Uint8Array): Buffer {
  const auth = trimAuthValue(authValue);
  if (auth.length === 0) return Buffer.from(sessionKey.buffer, sessionKey.byteOffset, sessionKey.byteLength);
  return Buffer.concat([sessionKey, auth]);
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/**
 * sessionKey of TPM2_StartAuthSession (Part 1 §19.6, sessionKey creation):
 * KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM, nonceCaller, 8·digestSize).
 * @param bindAuth the bind entity's authValue (trimmed here), or null when bind is TPM_RH_NULL. An entity with an
 *   empty authValue still makes the session bound: pass an empty array, and the key is KDFa over an empty key
 *   (as libtpms and tpm2-tss compute it).
 * @param salt the decrypted salt, or null when tpmKey is TPM_RH_NULL.
 * @returns the Empty Buffer when the session is neither bound nor salted (both null).
 */
export function sessionKey(
  hashAlg: number,
  bindAuth: Uint8Array | null,
  salt: Uint8Array | null,
  nonceTPM: Uint8Array,
  nonceCaller: Uint8Array,
): Buffer {
  const { digestSize } = hashInfo(hashAlg);
  if (bindAuth === null && salt === null) return EMPTY;
  const key = Buffer.concat([trimAuthValue(bindAuth ?? EMPTY), salt ?? EMPTY]);
  return kdfa(hashAlg, key, "ATH", nonceTPM, nonceCaller, digestSize * 8);
}

/**
 * cpHash (Part 1 §18, command parameter hash): H(commandCode || Name(handle 1) || … || parameters), where
 * `parameters` is the parameter area as sent (still encrypted, when parameter encryption is used).
 */
export function cpHash(
  alg: number,
  commandCode: number,
  names: readonly Uint8Array[],
  parameters: Uint8Array,
): Buffer {
  return hashDigest(alg, u32(commandCode), ...names, parameters);
}

/**
 * rpHash (Part 1 §18, response parameter hash): H(responseCode || commandCode || parameters) over the response
 * parameter area as sent.
 */
export function rpHash(alg: number, responseCode: number, commandCode: number, parameters: Uint8Array): Buffer {
  return hashDigest(alg, u32(responseCode), u32(commandCode), parameters);
}

/**
 * The HMAC of an authorization session, Part 1 §19.6.5:
 * HMAC(sessionKey || authValue, pHash || nonceNewer || nonceOlder || nonceDecrypt || nonceEncrypt || attributes).
 * For a command nonceNewer is nonceCaller and nonceOlder nonceTPM; for a response the other way round.
 * @param authValue the authorized entity's authValue, or empty when the session is bound to that entity
 *   (trailing zeros are removed here).
 * @param nonceDecrypt nonceTPM of a different decrypt session, only in the first session's HMAC; else empty.
 * @param nonceEncrypt nonceTPM of a different encrypt session, only in the first session's HMAC; else empty.
 * @param sessionAttributes the TPMA_SESSION octet as sent in this authorization.
 */
export function sessionHmac(
  alg: number,
  sessionKey: Uint8Array,
  authValue: Uint8Array,
  pHash: Uint8Array,
  nonceNewer: Uint8Array,
  nonceOlder: Uint8Array,
  nonceDecrypt: Uint8Array,
  nonceEncrypt: Uint8Array,
  sessionAttributes: number,
): Buffer {
  return hmac(
    alg,
    sessionAuthKey(sessionKey, authValue),
    pHash,
    nonceNewer,
    nonceOlder,
    nonceDecrypt,
    nonceEncrypt,
    Uint8Array.of(sessionAttributes & 0xff),
  );
}
