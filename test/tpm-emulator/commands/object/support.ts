/** Templates and a started emulator for the object and context command tests. */
import { createPublicKey, type KeyObject } from "node:crypto";
import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPM_ALG as A,
  TPM_ECC_CURVE,
  TPM_RH,
  TPM_SU,
  TpmClient,
  pw,
  rcName,
  type TPMS_ECC_POINT,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "../../../../tpm2/index.js";
import { TpmEmulator, type NewTpmOptions } from "../../../../tpm-emulator/index.js";

const EMPTY = Buffer.alloc(0);
const NULL_SYM = { algorithm: A.NULL, keyBits: undefined, mode: undefined };
const NULL_SCHEME = { scheme: A.NULL, details: undefined };
export const AES128_CFB = { algorithm: A.AES, keyBits: 128, mode: A.CFB };

/** TCG EK Credential Profile: PolicySecret(TPM_RH_ENDORSEMENT) and the EK attributes of templates L-1/L-2. */
export const EK_POLICY = Buffer.from("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa", "hex");
export const EK_ATTRIBUTES = 0x000300b2;

export const STORAGE =
  O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | O.noDA | O.restricted | O.decrypt;
export const SIGNING = O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | O.noDA | O.sign;

export function eccTemplate(
  objectAttributes: number,
  opts: { symmetric?: object; scheme?: object; unique?: TPMS_ECC_POINT; kdf?: object; authPolicy?: Buffer } = {},
): TPMT_PUBLIC {
  return {
    type: A.ECC,
    nameAlg: A.SHA256,
    objectAttributes,
    authPolicy: opts.authPolicy ?? EMPTY,
    parameters: {
      symmetric: opts.symmetric ?? NULL_SYM,
      scheme: opts.scheme ?? NULL_SCHEME,
      curveID: TPM_ECC_CURVE.NIST_P256,
      kdf: opts.kdf ?? NULL_SCHEME,
    } as TPMT_PUBLIC["parameters"],
    unique: opts.unique ?? { x: EMPTY, y: EMPTY },
  };
}

export function rsaTemplate(
  objectAttributes: number,
  opts: { symmetric?: object; scheme?: object; unique?: Buffer; exponent?: number; authPolicy?: Buffer } = {},
): TPMT_PUBLIC {
  return {
    type: A.RSA,
    nameAlg: A.SHA256,
    objectAttributes,
    authPolicy: opts.authPolicy ?? EMPTY,
    parameters: {
      symmetric: opts.symmetric ?? NULL_SYM,
      scheme: opts.scheme ?? NULL_SCHEME,
      keyBits: 2048,
      exponent: opts.exponent ?? 0,
    } as TPMT_PUBLIC["parameters"],
    unique: opts.unique ?? EMPTY,
  };
}

/** TCG EK template L-1: RSA 2048, AES-128-CFB, EK policy, 256 zero bytes of unique. */
export function ekTemplateRsa(): TPMT_PUBLIC {
  return rsaTemplate(EK_ATTRIBUTES, { symmetric: AES128_CFB, authPolicy: EK_POLICY, unique: Buffer.alloc(256) });
}

/** TCG EK template L-2: ECC NIST P-256, AES-128-CFB, EK policy, 32 + 32 zero bytes of unique. */
export function ekTemplateEcc(): TPMT_PUBLIC {
  return eccTemplate(EK_ATTRIBUTES, {
    symmetric: AES128_CFB,
    authPolicy: EK_POLICY,
    unique: { x: Buffer.alloc(32), y: Buffer.alloc(32) },
  });
}

export const srkTemplate = (): TPMT_PUBLIC => eccTemplate(STORAGE, { symmetric: AES128_CFB });
export const ecdsaTemplate = (attributes = SIGNING): TPMT_PUBLIC =>
  eccTemplate(attributes, { scheme: { scheme: A.ECDSA, details: { hashAlg: A.SHA256 } } });
export const rsassaTemplate = (attributes = SIGNING): TPMT_PUBLIC =>
  rsaTemplate(attributes, { scheme: { scheme: A.RSASSA, details: { hashAlg: A.SHA256 } } });

/** A sealed data object: KEYEDHASH, neither sign nor decrypt, the caller provides the data. */
export function sealedTemplate(): TPMT_PUBLIC {
  return {
    type: A.KEYEDHASH,
    nameAlg: A.SHA256,
    objectAttributes: O.fixedTPM | O.fixedParent | O.userWithAuth | O.noDA,
    authPolicy: EMPTY,
    parameters: { scheme: NULL_SCHEME },
    unique: EMPTY,
  };
}

export function sensitive(userAuth: Uint8Array = EMPTY, data: Uint8Array = EMPTY) {
  return { userAuth, data };
}

/** Parameters of TPM2_CreatePrimary or TPM2_Create for `template`. */
export function creation(template: TPMT_PUBLIC, inSensitive = sensitive()) {
  return { inSensitive, inPublic: template, outsideInfo: EMPTY, creationPCR: [] };
}

export interface Started {
  tpm: TpmEmulator;
  client: TpmClient;
}

/** An in-memory TPM after TPM2_Startup(CLEAR). */
export async function startTpm(opts: NewTpmOptions = {}): Promise<Started> {
  const tpm = TpmEmulator.create(opts);
  const client = new TpmClient((c) => tpm.execute(c));
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  return { tpm, client };
}

/** A power cycle and TPM2_Startup(CLEAR): a TPM Reset. */
export async function tpmReset({ tpm, client }: Started): Promise<void> {
  tpm.reset();
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
}

/** TPM2_CreatePrimary with an empty password on `hierarchy`; returns the whole response. */
export function createPrimary(client: TpmClient, template: TPMT_PUBLIC, hierarchy: number = TPM_RH.OWNER) {
  return client.run("CreatePrimary", { handles: [hierarchy], auths: [pw()], params: creation(template) });
}

/** Create + Load of `template` under `parent`. */
export async function createAndLoad(client: TpmClient, parent: number, template: TPMT_PUBLIC) {
  const created = await client.run("Create", { handles: [parent], auths: [pw()], params: creation(template) });
  const loaded = await client.run("Load", {
    handles: [parent],
    auths: [pw()],
    params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
  });
  return { ...created, handle: loaded.handle, name: loaded.name };
}

/** Compares response codes by name, so a failure reads "TPM_RC_INTEGRITY + parameter 1". */
export function expectRc(actual: number, expected: number): void {
  expect(rcName(actual)).to.equal(rcName(expected));
}

/** The public key of a TPM public area, built with node:crypto alone. */
export function publicKeyOf(pub: TPMT_PUBLIC): KeyObject {
  if (pub.type === A.RSA) {
    const e = (pub.parameters as TPMS_RSA_PARMS).exponent || 65537;
    const eBytes = Buffer.alloc(4);
    eBytes.writeUInt32BE(e);
    const jwk = {
      kty: "RSA",
      n: Buffer.from(pub.unique as Uint8Array).toString("base64url"),
      e: eBytes.subarray(eBytes.findIndex((b) => b !== 0)).toString("base64url"),
    };
    return createPublicKey({ key: jwk, format: "jwk" });
  }
  const { x, y } = pub.unique as TPMS_ECC_POINT;
  const jwk = { kty: "EC", crv: "P-256", x: Buffer.from(x).toString("base64url"), y: Buffer.from(y).toString("base64url") };
  return createPublicKey({ key: jwk, format: "jwk" });
}
