import { createCipheriv, createDecipheriv } from "node:crypto";
import { TPM_ALG } from "../constants.js";
import { kdfa } from "./kdf.js";
import { sessionAuthKey } from "./session.js";

/** AES block size in octets; also the IV size of every mode but ECB. */
export const AES_BLOCK_SIZE = 16;

const MODE_NAMES: ReadonlyMap<number, string> = new Map([
  [TPM_ALG.CFB, "cfb"],
  [TPM_ALG.CTR, "ctr"],
  [TPM_ALG.OFB, "ofb"],
  [TPM_ALG.CBC, "cbc"],
  [TPM_ALG.ECB, "ecb"],
]);

function aesCipherName(mode: number, key: Uint8Array, iv: Uint8Array | null): string {
  const modeName = MODE_NAMES.get(mode);
  if (modeName === undefined) throw new RangeError(`unsupported symmetric mode 0x${mode.toString(16)}`);
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new RangeError(`bad AES key size ${key.length} octets`);
  }
  const needsIv = mode !== TPM_ALG.ECB;
  if (needsIv ? iv?.length !== AES_BLOCK_SIZE : iv !== null && iv.length !== 0) {
    throw new RangeError(`bad IV size ${iv?.length ?? 0} octets for AES-${modeName.toUpperCase()}`);
  }
  return `aes-${key.length * 8}-${modeName}`;
}

function runAes(encrypt: boolean, mode: number, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  const name = aesCipherName(mode, key, iv);
  const ivOrNull = mode === TPM_ALG.ECB ? null : iv;
  // The TPM never pads (Part 3 §15.2: CBC/ECB input must be a whole number of blocks), so neither do we.
  const cipher = encrypt ? createCipheriv(name, key, ivOrNull) : createDecipheriv(name, key, ivOrNull);
  cipher.setAutoPadding(false);
  const head = cipher.update(data);
  const tail = cipher.final();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/**
 * AES encryption in a TPM mode (TPM_ALG_CFB, CTR, OFB, CBC or ECB; full-block CFB, i.e. CFB-128), no padding.
 * @param iv 16 octets, or null for ECB.
 * @throws RangeError for a bad key or IV size, an unknown mode, or CBC/ECB data that is not whole blocks.
 */
export function aesEncrypt(mode: number, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  return runAes(true, mode, key, iv, data);
}

/** The inverse of {@link aesEncrypt}. */
export function aesDecrypt(mode: number, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  return runAes(false, mode, key, iv, data);
}

/** AES-CFB (128-bit feedback, node `aes-N-cfb`) encryption; the key size (16, 24, 32) picks AES-128/192/256. */
export function aesCfbEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  return runAes(true, TPM_ALG.CFB, key, iv, data);
}

/** AES-CFB decryption, the inverse of {@link aesCfbEncrypt}. */
export function aesCfbDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Buffer {
  return runAes(false, TPM_ALG.CFB, key, iv, data);
}

/**
 * XOR obfuscation, Part 1 §11.4.6.3: data ⊕ KDFa(hashAlg, key, "XOR", contextU, contextV, 8·|data|).
 * Its own inverse.
 */
export function xorObfuscate(
  hashAlg: number,
  key: Uint8Array,
  contextU: Uint8Array,
  contextV: Uint8Array,
  data: Uint8Array,
): Buffer {
  const mask = kdfa(hashAlg, key, "XOR", contextU, contextV, data.length * 8);
  for (let i = 0; i < mask.length; i++) mask[i] = mask[i]! ^ data[i]!;
  return mask;
}

/**
 * The session state parameter encryption is keyed with (Part 1 §21). For a command parameter nonceNewer is
 * nonceCaller and nonceOlder is nonceTPM; for a response parameter the other way round.
 */
export interface ParameterCipherContext {
  /** The session's authHash. */
  readonly hashAlg: number;
  readonly sessionKey: Uint8Array;
  /**
   * The authValue of the entity the session authorizes, when the session's HMAC includes it; empty otherwise.
   * Trailing zero octets are removed here (Part 1, "Authorization Size Convention").
   */
  readonly authValue: Uint8Array;
  readonly nonceNewer: Uint8Array;
  readonly nonceOlder: Uint8Array;
}

/**
 * Key and IV of CFB parameter encryption, Part 1 §21: KDFa(hashAlg, sessionKey || authValue, "CFB", nonceNewer,
 * nonceOlder, keyBits + 128) split into the key (first keyBits) and the IV (last 128 bits).
 */
export function parameterCfbKey(context: ParameterCipherContext, keyBits: number): { key: Buffer; iv: Buffer } {
  if (keyBits !== 128 && keyBits !== 192 && keyBits !== 256) throw new RangeError(`bad AES key size ${keyBits} bits`);
  const material = kdfa(
    context.hashAlg,
    sessionAuthKey(context.sessionKey, context.authValue),
    "CFB",
    context.nonceNewer,
    context.nonceOlder,
    keyBits + AES_BLOCK_SIZE * 8,
  );
  const keyBytes = keyBits / 8;
  return { key: material.subarray(0, keyBytes), iv: material.subarray(keyBytes) };
}

/** Encrypts the first parameter's data (without its size field) with AES-CFB keyed per Part 1 §21. */
export function encryptParameterCfb(context: ParameterCipherContext, keyBits: number, data: Uint8Array): Buffer {
  const { key, iv } = parameterCfbKey(context, keyBits);
  return aesCfbEncrypt(key, iv, data);
}

/** Decrypts the first parameter's data (without its size field) with AES-CFB keyed per Part 1 §21. */
export function decryptParameterCfb(context: ParameterCipherContext, keyBits: number, data: Uint8Array): Buffer {
  const { key, iv } = parameterCfbKey(context, keyBits);
  return aesCfbDecrypt(key, iv, data);
}

/**
 * XOR parameter obfuscation, Part 1 §21: data ⊕ KDFa(hashAlg, sessionKey || authValue, "XOR", nonceNewer,
 * nonceOlder, 8·|data|). The same call encrypts and decrypts.
 */
export function xorParameter(context: ParameterCipherContext, data: Uint8Array): Buffer {
  return xorObfuscate(
    context.hashAlg,
    sessionAuthKey(context.sessionKey, context.authValue),
    context.nonceNewer,
    context.nonceOlder,
    data,
  );
}
