import { TPM_ALG } from "../../../tpm2/constants.js";
import { aesCfbDecrypt, hmac, kdfa } from "../../../tpm2/crypto/index.js";

/** The parts of a tpm2_makecredential output file: 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
export interface CredentialBlob {
  integrityHmac: Buffer;
  encIdentity: Buffer;
  secret: Buffer;
}

/** Splits a tpm2-tools credential file (test helper; the layout is checked by the vectors' own spec). */
export function parseCredentialBlob(file: Buffer): CredentialBlob {
  let at = 8;
  const idSize = file.readUInt16BE(at);
  at += 2;
  const idObject = file.subarray(at, at + idSize);
  at += idSize;
  const secretSize = file.readUInt16BE(at);
  const secret = file.subarray(at + 2, at + 2 + secretSize);
  const hmacSize = idObject.readUInt16BE(0);
  return {
    integrityHmac: idObject.subarray(2, 2 + hmacSize),
    encIdentity: idObject.subarray(2 + hmacSize),
    secret,
  };
}

/**
 * Part 1 §24: with the seed recovered from the secret, check the integrity HMAC (KDFa INTEGRITY) and decrypt the
 * credential (KDFa STORAGE, AES-128-CFB, zero IV). Returns the credential, or null when the HMAC does not match.
 */
export function openCredentialBlob(blob: CredentialBlob, seed: Buffer, objectName: Buffer): Buffer | null {
  const hmacKey = kdfa(TPM_ALG.SHA256, seed, "INTEGRITY", Buffer.alloc(0), Buffer.alloc(0), 256);
  if (!hmac(TPM_ALG.SHA256, hmacKey, blob.encIdentity, objectName).equals(blob.integrityHmac)) return null;
  const symKey = kdfa(TPM_ALG.SHA256, seed, "STORAGE", objectName, Buffer.alloc(0), 128);
  const plain = aesCfbDecrypt(symKey, Buffer.alloc(16), blob.encIdentity);
  return plain.subarray(2, 2 + plain.readUInt16BE(0));
}
