/**
 * Well-known key templates: the TCG EK Credential Profile's default EK templates (L-1 RSA 2048, L-2 ECC
 * NIST P-256, §2.1.5; the high-range H-6 RSA 3072), and the storage and attestation key shapes Windows and
 * tpm2-tools create.
 */
import { TPM_ALG, TPM_ECC_CURVE, TPMA_OBJECT } from "./constants.js";
import type { TPMT_PUBLIC } from "./structures.js";

const A = TPMA_OBJECT;

/** PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the authPolicy of the default EK templates. */
export const EK_POLICY_SHA256 = Buffer.from("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa", "hex");

/**
 * PolicyB with SHA-384 (TCG EK Credential Profile 2.5 §B.6): the authPolicy of the SHA-384 high-range EK templates,
 * PolicyOR of PolicySecret(TPM_RH_ENDORSEMENT) and the NV-policy branch.
 */
export const EK_POLICY_B_SHA384 = Buffer.from(
  "b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12",
  "hex",
);

/** EK attributes of templates L-1/L-2: 0x000300B2. */
export const EK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.adminWithPolicy | A.restricted | A.decrypt;

/** EK attributes of the high-range templates: those of L-1/L-2 plus userWithAuth, 0x000300F2. */
export const EK_HIGH_RANGE_ATTRIBUTES = EK_ATTRIBUTES | A.userWithAuth;

/** Restricted decryption (storage) key attributes, as Windows' SRK: 0x00030472. */
export const SRK_ATTRIBUTES =
  A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.noDA | A.restricted | A.decrypt;

/** Restricted signing (attestation) key attributes, as tpm2_createak: 0x00050072. */
export const AK_ATTRIBUTES = A.fixedTPM | A.fixedParent | A.sensitiveDataOrigin | A.userWithAuth | A.restricted | A.sign;

const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };
const AES256_CFB = { algorithm: TPM_ALG.AES, keyBits: 256, mode: TPM_ALG.CFB };
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

/** EK template H-6: RSA 3072, SHA-384 name, AES-256-CFB, PolicyB SHA-384, empty unique. */
export function ekTemplateRsa3072(): TPMT_PUBLIC {
  return {
    type: TPM_ALG.RSA,
    nameAlg: TPM_ALG.SHA384,
    objectAttributes: EK_HIGH_RANGE_ATTRIBUTES,
    authPolicy: EK_POLICY_B_SHA384,
    parameters: { symmetric: AES256_CFB, scheme: NO_SCHEME, keyBits: 3072, exponent: 0 },
    unique: Buffer.alloc(0),
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

/** NV indices of the EK certificates (TCG EK Credential Profile §2.2.1.5): RSA 2048, ECC P-256, RSA 3072 (H-6). */
export const EK_CERT_NV_INDEX = { rsa: 0x01c00002, ecc: 0x01c0000a, rsa3072: 0x01c0001c } as const;
