/**
 * Step 4: the AK as Windows' Platform Crypto Provider makes it (reference §1.5, §2.5) — a restricted signing
 * key created as a primary under the owner hierarchy with a random 20-byte `unique`, then certified by itself
 * with its creation ticket (TPM2_CertifyCreation), which proves the AK was created inside this TPM.
 */
import { randomBytes } from "node:crypto";
import { AK_ATTRIBUTES, TPM_ALG, TPM_RH, TPMA_OBJECT, akTemplate, type TPMT_PUBLIC } from "../../tpm2/index.js";
import type { CreatedPrimary, SignedAttestation, TpmDevice } from "../tpm/tpm-device.js";

export type AkKind = "rsa" | "ecc";

/** fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|noDA|restricted|sign: 0x00050472. */
export const WINDOWS_AK_ATTRIBUTES = AK_ATTRIBUTES | TPMA_OBJECT.noDA;

/** The AK template: RSA-2048 RSASSA-SHA256 or ECC P-256 ECDSA-SHA256, with `unique` as its entropy. */
export function windowsAkTemplate(kind: AkKind, unique: Uint8Array): TPMT_PUBLIC {
  const template = akTemplate(kind);
  return {
    ...template,
    objectAttributes: WINDOWS_AK_ATTRIBUTES,
    unique: template.type === TPM_ALG.RSA ? Buffer.from(unique) : { x: Buffer.from(unique), y: Buffer.alloc(0) },
  };
}

/** An AK loaded in the TPM and the evidence of its creation. */
export interface AttestationKey {
  readonly key: CreatedPrimary;
  readonly creation: SignedAttestation;
}

/**
 * Creates the AK and its CertifyCreation; the caller flushes `key.handle`. `unique` is random as on Windows
 * unless given (a fleet fixes it per device so its factory can derive the RSA AK ahead of time).
 */
export async function createAttestationKey(
  device: TpmDevice,
  kind: AkKind,
  onCreated: (handle: number) => void,
  unique: Uint8Array = randomBytes(20),
): Promise<AttestationKey> {
  const key = await device.createPrimary(TPM_RH.OWNER, windowsAkTemplate(kind, unique));
  onCreated(key.handle);
  const creation = await device.certifyCreation(key.handle, key);
  return { key, creation };
}
