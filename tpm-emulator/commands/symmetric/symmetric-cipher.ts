/**
 * EncryptDecryptShared (Part 3 §15.2/§15.3): the checks both TPM2_EncryptDecrypt and TPM2_EncryptDecrypt2 make,
 * and AES in the chosen mode with the chaining value libtpms returns as ivOut (OpenSSL's updated IV).
 */
import {
  AES_BLOCK_SIZE,
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RC,
  aesDecrypt,
  aesEncrypt,
  type TPMS_SYMCIPHER_PARMS,
} from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import type { Tpm } from "../../tpm.js";
import { handleError, paramError } from "../registry.js";

/** Where each input sits in the command, for the response codes. */
export interface SymmetricParameterNumbers {
  decrypt: number;
  mode: number;
  ivIn: number;
  inData: number;
}

export interface SymmetricRequest {
  keyHandle: number;
  decrypt: boolean;
  mode: number;
  ivIn: Uint8Array;
  inData: Uint8Array;
}

const A = TPM_ALG;
const EMPTY = Buffer.alloc(0);

function lastBlock(data: Uint8Array): Buffer {
  return Buffer.from(data.subarray(data.length - AES_BLOCK_SIZE));
}

/** The counter after `blocks` increments, as a 128-bit big-endian number (OpenSSL's CTR). */
function advanceCounter(iv: Uint8Array, blocks: number): Buffer {
  const value = (BigInt(`0x${Buffer.from(iv).toString("hex")}`) + BigInt(blocks)) % (1n << 128n);
  return Buffer.from(value.toString(16).padStart(32, "0"), "hex");
}

/** The IV OpenSSL leaves in its context after the operation (CryptSymmetricGetUpdatedIV). */
function updatedIv(mode: number, key: Uint8Array, iv: Uint8Array, input: Uint8Array, output: Uint8Array, decrypt: boolean): Buffer {
  const cipherText = decrypt ? input : output;
  const blocks = Math.ceil(input.length / AES_BLOCK_SIZE);
  switch (mode) {
    case A.CBC:
      return lastBlock(cipherText);
    case A.CTR:
      return advanceCounter(iv, blocks);
    case A.OFB:
      return lastBlock(aesEncrypt(A.OFB, key, iv, Buffer.alloc(blocks * AES_BLOCK_SIZE)));
    default: {
      // CFB-128: E(previous block) with the cipher text of a final partial block over its first bytes
      const partial = input.length % AES_BLOCK_SIZE;
      if (partial === 0) return lastBlock(cipherText);
      const fullEnd = input.length - partial;
      const previous = fullEnd === 0 ? Buffer.from(iv) : Buffer.from(cipherText.subarray(fullEnd - AES_BLOCK_SIZE, fullEnd));
      const next = aesEncrypt(A.ECB, key, null, previous);
      next.set(cipherText.subarray(fullEnd), 0);
      return next;
    }
  }
}

/**
 * EncryptDecryptShared: an unrestricted SYMCIPHER key with `decrypt` (to decrypt) or `sign` (to encrypt), a mode
 * from the key or the caller, an IV of one block (none for ECB), and whole blocks for CBC and ECB.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not a SYMCIPHER), TPM_RC_ATTRIBUTES + H1 (restricted,
 * or lacks decrypt/sign), TPM_RC_MODE + mode (differs from the key's, or both NULL), TPM_RC_SIZE + ivIn,
 * TPM_RC_SIZE + inData.
 */
export function encryptDecryptShared(
  tpm: Tpm,
  request: SymmetricRequest,
  n: SymmetricParameterNumbers,
): { outData: Buffer; ivOut: Buffer } {
  const key = keyAt(tpm, request.keyHandle, 1);
  const pub = key.publicArea;
  if (pub.type !== A.SYMCIPHER) throw handleError(TPM_RC.KEY, 1);
  const attrs = pub.objectAttributes;
  const needed = request.decrypt ? TPMA_OBJECT.decrypt : TPMA_OBJECT.sign;
  if (attrs & TPMA_OBJECT.restricted || !(attrs & needed)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  const sym = (pub.parameters as TPMS_SYMCIPHER_PARMS).sym;
  let mode = sym.mode ?? A.NULL;
  if (mode !== A.NULL) {
    if (request.mode !== A.NULL && request.mode !== mode) throw paramError(TPM_RC.MODE, n.mode);
  } else {
    if (request.mode === A.NULL) throw paramError(TPM_RC.MODE, n.mode);
    mode = request.mode;
  }
  const { ivIn, inData } = request;
  if (mode === A.ECB ? ivIn.length !== 0 : ivIn.length !== AES_BLOCK_SIZE) throw paramError(TPM_RC.SIZE, n.ivIn);
  if ((mode === A.CBC || mode === A.ECB) && inData.length % AES_BLOCK_SIZE !== 0) throw paramError(TPM_RC.SIZE, n.inData);
  const secret = key.sensitive?.sensitive;
  if (!secret) throw handleError(TPM_RC.KEY, 1);
  if (inData.length === 0) return { outData: EMPTY, ivOut: Buffer.from(ivIn) };
  const iv = mode === A.ECB ? null : ivIn;
  const outData = request.decrypt ? aesDecrypt(mode, secret, iv, inData) : aesEncrypt(mode, secret, iv, inData);
  const ivOut = mode === A.ECB ? EMPTY : updatedIv(mode, secret, ivIn, inData, outData, request.decrypt);
  return { outData, ivOut };
}
