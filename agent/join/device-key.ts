/**
 * The device key, as Windows makes its device key for device registration: a signing key created in the TPM under
 * the storage root key, never leaving it (fixedTPM, fixedParent, sensitiveDataOrigin), then certified by the AK
 * (TPM2_Certify, Part 3 §18.2) over qualifying data that binds the certification to this join.
 */
import {
  TPM2B_ATTEST,
  TPM2B_PRIVATE,
  TPM2B_PUBLIC,
  TPMA_OBJECT,
  TPMT_SIGNATURE,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RH,
  marshal,
  pw,
  srkTemplate,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import type { TpmDevice } from "../tpm/tpm-device.js";

export type DeviceKeyKind = "rsa" | "ecc";

/** fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | sign: an unrestricted signing key. */
export const DEVICE_KEY_ATTRIBUTES =
  TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA | TPMA_OBJECT.sign;

const EMPTY = Buffer.alloc(0);
const NO_SENSITIVE = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const NO_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };

/** The device key template: RSA-2048 RSASSA-SHA256 or ECC P-256 ECDSA-SHA256. */
export function deviceKeyTemplate(kind: DeviceKeyKind): TPMT_PUBLIC {
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: DEVICE_KEY_ATTRIBUTES, authPolicy: EMPTY };
  const hash = { hashAlg: TPM_ALG.SHA256 };
  return kind === "rsa"
    ? { ...common, type: TPM_ALG.RSA, parameters: { symmetric: NO_SYM, scheme: { scheme: TPM_ALG.RSASSA, details: hash }, keyBits: 2048, exponent: 0 }, unique: EMPTY }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: { symmetric: NO_SYM, scheme: { scheme: TPM_ALG.ECDSA, details: hash }, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NULL_SCHEME },
        unique: { x: EMPTY, y: EMPTY },
      };
}

/** A device key and its certification, as the join request carries them. */
export interface CertifiedDeviceKey {
  readonly public: TPMT_PUBLIC;
  /** TPM2B_PUBLIC of the key. */
  readonly publicBytes: Uint8Array;
  /** TPM2B_PRIVATE of the key: reload it under the SRK to use the key again. */
  readonly privateBytes: Uint8Array;
  /** TPM2B_ATTEST of TPM2_Certify. */
  readonly certifyInfo: Uint8Array;
  /** TPMT_SIGNATURE by the AK. */
  readonly certifySignature: Uint8Array;
}

/**
 * Creates the device key under a storage root key made for the purpose and, when an AK is given, certifies it with
 * the AK over `qualifyingData`. Every object loaded here is flushed before returning; the AK is left as it was.
 */
export async function createDeviceKey(
  device: TpmDevice,
  options: { kind: DeviceKeyKind; ak?: number; qualifyingData?: Uint8Array },
): Promise<CertifiedDeviceKey> {
  const srk = await device.createPrimary(TPM_RH.OWNER, srkTemplate(options.kind));
  let loaded: number | undefined;
  try {
    const created = await device.client.run("Create", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inSensitive: NO_SENSITIVE, inPublic: deviceKeyTemplate(options.kind), outsideInfo: EMPTY, creationPCR: [] },
    });
    const key = await device.client.run("Load", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
    });
    loaded = key.handle;
    let certifyInfo: Uint8Array = EMPTY;
    let certifySignature: Uint8Array = EMPTY;
    if (options.ak !== undefined) {
      const certified = await device.client.run("Certify", {
        handles: [key.handle, options.ak],
        auths: [pw(), pw()],
        params: { qualifyingData: options.qualifyingData ?? EMPTY, inScheme: NULL_SCHEME },
      });
      certifyInfo = marshal(TPM2B_ATTEST, certified.certifyInfo);
      certifySignature = marshal(TPMT_SIGNATURE, certified.signature);
    }
    return {
      public: created.outPublic,
      publicBytes: marshal(TPM2B_PUBLIC, created.outPublic),
      privateBytes: marshal(TPM2B_PRIVATE, created.outPrivate),
      certifyInfo,
      certifySignature,
    };
  } finally {
    if (loaded !== undefined) await device.flushQuietly(loaded);
    await device.flushQuietly(srk.handle);
  }
}
