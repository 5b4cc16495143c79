// Keys for the asymmetric command specs: TPM-made decryption keys, and key pairs made by node:crypto and loaded
// with TPM2_LoadExternal, so the other half of each operation can be done independently of the emulator.
import { createECDH, generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  TPMA_OBJECT as O,
  TPM_ALG as A,
  TPM_ECC_CURVE,
  TPM_RH,
  pw,
  type CommandParams,
  type TPMT_PUBLIC,
  type TpmClient,
} from "../../../../tpm2/index.js";
import { EMPTY, createPrimary } from "../key-fixture.js";

/** A TPMT_RSA_DECRYPT. */
export type RsaScheme = CommandParams<"RSA_Decrypt">["inScheme"];

const NULL_SYM = { algorithm: A.NULL, keyBits: undefined, mode: undefined };
const NULL_SCHEME = { scheme: A.NULL, details: undefined };
export const DECRYPT = O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | O.noDA | O.decrypt;

export function rsaDecryptTemplate(scheme: { scheme: number; details: unknown } = NULL_SCHEME, attributes = DECRYPT): TPMT_PUBLIC {
  return {
    type: A.RSA,
    nameAlg: A.SHA256,
    objectAttributes: attributes,
    authPolicy: EMPTY,
    parameters: { symmetric: NULL_SYM, scheme, keyBits: 2048, exponent: 0 } as TPMT_PUBLIC["parameters"],
    unique: EMPTY,
  };
}

export function eccDecryptTemplate(scheme: { scheme: number; details: unknown } = NULL_SCHEME, attributes = DECRYPT): TPMT_PUBLIC {
  return {
    type: A.ECC,
    nameAlg: A.SHA256,
    objectAttributes: attributes,
    authPolicy: EMPTY,
    parameters: { symmetric: NULL_SYM, scheme, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NULL_SCHEME } as TPMT_PUBLIC["parameters"],
    unique: { x: EMPTY, y: EMPTY },
  };
}

/** A TPM-made key in the owner hierarchy. */
export async function tpmKey(client: TpmClient, template: TPMT_PUBLIC) {
  return createPrimary(client, TPM_RH.OWNER, template);
}

/** An RSA-2048 key pair made by node, its public part loaded (owner hierarchy) as a decryption key. */
export async function externalRsaPublic(client: TpmClient): Promise<{ handle: number; privateKey: KeyObject }> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const n = Buffer.from(publicKey.export({ format: "jwk" }).n!, "base64url");
  const template = { ...rsaDecryptTemplate(), objectAttributes: O.decrypt | O.userWithAuth, unique: n };
  const out = await client.run("LoadExternal", { params: { inPrivate: undefined, inPublic: template, hierarchy: TPM_RH.OWNER } });
  return { handle: out.handle, privateKey };
}

/** A P-256 key pair made by node, loaded whole (null hierarchy) as an unrestricted decryption key. */
export async function externalEccPair(client: TpmClient): Promise<{ handle: number; d: Buffer; x: Buffer; y: Buffer }> {
  const ecdh = createECDH("prime256v1");
  const point = ecdh.generateKeys();
  const d = Buffer.alloc(32);
  const raw = ecdh.getPrivateKey();
  raw.copy(d, 32 - raw.length);
  const x = point.subarray(1, 33);
  const y = point.subarray(33);
  const template = { ...eccDecryptTemplate(), objectAttributes: O.decrypt | O.userWithAuth, unique: { x, y } };
  const inPrivate = { sensitiveType: A.ECC, authValue: EMPTY, seedValue: EMPTY, sensitive: d };
  const out = await client.run("LoadExternal", { params: { inPrivate, inPublic: template, hierarchy: TPM_RH.NULL } });
  return { handle: out.handle, d, x, y };
}

/** TPM2_RSA_Decrypt with an empty password. */
export function rsaDecrypt(client: TpmClient, handle: number, cipherText: Uint8Array, inScheme: RsaScheme, label: Uint8Array = EMPTY) {
  return client.call("RSA_Decrypt", { handles: [handle], auths: [pw()], params: { cipherText, inScheme, label } });
}

/** TPM2_RSA_Encrypt (no authorization). */
export function rsaEncrypt(client: TpmClient, handle: number, message: Uint8Array, inScheme: RsaScheme, label: Uint8Array = EMPTY) {
  return client.call("RSA_Encrypt", { handles: [handle], params: { message, inScheme, label } });
}

export const OAEP_SHA256: RsaScheme = { scheme: A.OAEP, details: { hashAlg: A.SHA256 } };
export const OAEP_SHA1: RsaScheme = { scheme: A.OAEP, details: { hashAlg: A.SHA1 } };
export const RSAES: RsaScheme = { scheme: A.RSAES, details: undefined };
export const RAW: RsaScheme = NULL_SCHEME;

/** P-256 field prime and b, for checking points independently of the emulator. */
export const P256 = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

export function isOnP256(x: Uint8Array, y: Uint8Array): boolean {
  const X = BigInt(`0x${Buffer.from(x).toString("hex")}`);
  const Y = BigInt(`0x${Buffer.from(y).toString("hex")}`);
  const { p, b } = P256;
  const mod = (v: bigint) => ((v % p) + p) % p;
  return mod(Y * Y) === mod(X * X * X - 3n * X + b);
}
