/**
 * Well-known key templates: the TCG EK Credential Profile's default EK templates (L-1 RSA 2048, L-2 ECC
 * NIST P-256, §2.1.5), and the storage and attestation key shapes Windows and tpm2-tools create.
 */
import { TPM_ALG, TPM_ECC_CURVE, TPMA_OBJECT } from "./constants.js";
import type { TPMT_PUBLIC } from "./structures.js";

const A = TPMA_OBJECT;

/** PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the authPolicy of the default EK templates. */
export const EK_POLICY_SHA256 = Buffer.from("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa", "hex");

/** EK attributes of templates L-1/L-2: 0x000300B2. */
export const EK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt;

/** Restricted decryption (storage) key attributes, as Windows' SRK: 0x00030472. */
export const SRK_ATTRIBUTES =
  A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA | A.restricted | A.decrypt;

/** Restricted signing (attestation) key attributes, as tpm2_createak: 0x00050072. */
export const AK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.restricted | A.sign;

const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };
const NO_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
const NO_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };

/** EK template L-1: RSA 2048, AES-128-CFB, zero-filled 256-byte unique. */
export function ekTemplateRsa(): TPMT_PUBLIC {
  return {
    type: TPM_ALG.RSA,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: EK_ATTRIBUTES,
    authPolicy: EK_POLICY_SHA256,
    parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, keyBits: 2048, exponent: 0 },
    unique: Buffer.alloc(256),
  };
}

/** EK template L-2: ECC NIST P-256, AES-128-CFB, zero-filled 32-byte x and y. */
export function ekTemplateEcc(): TPMT_PUBLIC {
  return {
    type: TPM_ALG.ECC,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: EK_ATTRIBUTES,
    authPolicy: EK_POLICY_SHA256,
    parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NO_SCHEME },
    unique: { x: Buffer.alloc(32), y: Buffer.alloc(32) },
  };
}

/** A storage root key: restricted decryption, AES-128-CFB, empty unique. */
export function srkTemplate(kind: "rsa" | "ecc"): TPMT_PUBLIC {
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: SRK_ATTRIBUTES, authPolicy: Buffer.alloc(0) };
  return kind === "rsa"
    ? { ...common, type: TPM_ALG.RSA, parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, keyBits: 2048, exponent: 0 }, unique: Buffer.alloc(0) }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NO_SCHEME },
        unique: { x: Buffer.alloc(0), y: Buffer.alloc(0) },
      };
}

/** An attestation key: restricted signing with RSASSA-SHA256 or ECDSA-SHA256. */
export function akTemplate(kind: "rsa" | "ecc"): TPMT_PUBLIC {
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: AK_ATTRIBUTES, authPolicy: Buffer.alloc(0) };
  const hash = { hashAlg: TPM_ALG.SHA256 };
  return kind === "rsa"
    ? {
        ...common,
        type: TPM_ALG.RSA,
        parameters: { symmetric: NO_SYM, scheme: { scheme: TPM_ALG.RSASSA, details: hash }, keyBits: 2048, exponent: 0 },
        unique: Buffer.alloc(0),
      }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: {
          symmetric: NO_SYM,
          scheme: { scheme: TPM_ALG.ECDSA, details: hash },
          curveID: TPM_ECC_CURVE.NIST_P256,
          kdf: NO_SCHEME,
        },
        unique: { x: Buffer.alloc(0), y: Buffer.alloc(0) },
      };
}

/** NV indices of the EK certificates (TCG EK Credential Profile §2.2.1.5): RSA 2048 and ECC P-256. */
export const EK_CERT_NV_INDEX = { rsa: 0x01c00002, ecc: 0x01c0000a } as const;
