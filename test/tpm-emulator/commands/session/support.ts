/**
 * Test support shared by the session, policy, NV, PCR, capability, clock, testing and hierarchy command specs: a
 * started in-memory TPM with a client, and keys loaded straight into its object slots (so these specs do not
 * depend on the object commands).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  TPM_ALG,
  TPM_RH,
  TPM_SU,
  TPMA_OBJECT,
  TpmClient,
  type TPMT_PUBLIC,
  type TPMT_SENSITIVE,
} from "../../../../tpm2/index.js";
import { TpmEmulator, type NewTpmOptions } from "../../../../tpm-emulator/index.js";
import { handleName, makeObject } from "../../../../tpm-emulator/objects.js";

export interface StartedTpm {
  tpm: TpmEmulator;
  client: TpmClient;
  /** Every command and response the client exchanged, newest last. */
  wire: { command: Buffer; response: Buffer }[];
}

/** A new TPM after TPM2_Startup(CLEAR), with a client that records the bytes on the wire. */
export async function startedTpm(opts: NewTpmOptions = {}): Promise<StartedTpm> {
  const tpm = TpmEmulator.create(opts);
  const wire: StartedTpm["wire"] = [];
  const client = new TpmClient(async (command) => {
    const response = await tpm.execute(command);
    wire.push({ command: Buffer.from(command), response: Buffer.from(response) });
    return response;
  });
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  return { tpm, client, wire };
}

export const EMPTY = Buffer.alloc(0);
export const NULL_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
export const AES_128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };

const O = TPMA_OBJECT;
const KEY_ATTRIBUTES = O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth;

/** A key in the TPM's object slots and its public half on our side. */
export interface LoadedKey {
  handle: number;
  publicArea: TPMT_PUBLIC;
  publicKey: KeyObject;
}

function load(tpm: TpmEmulator, publicArea: TPMT_PUBLIC, sensitive: TPMT_SENSITIVE | undefined, publicKey: KeyObject): LoadedKey {
  const object = makeObject(publicArea, sensitive, TPM_RH.OWNER, handleName(TPM_RH.OWNER));
  return { handle: tpm.runtime.objects.add(object), publicArea, publicKey };
}

/** An RSA-2048 key with `attributes` (a decryption key by default), nameAlg SHA-256 and no scheme. */
export function loadRsaKey(tpm: TpmEmulator, attributes = KEY_ATTRIBUTES | O.decrypt): LoadedKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = privateKey.export({ format: "jwk" });
  const publicArea: TPMT_PUBLIC = {
    type: TPM_ALG.RSA,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: attributes,
    authPolicy: EMPTY,
    parameters: { symmetric: NULL_SYM, scheme: { scheme: TPM_ALG.NULL, details: undefined }, keyBits: 2048, exponent: 0 },
    unique: Buffer.from(jwk.n!, "base64url"),
  };
  const sensitive: TPMT_SENSITIVE = {
    sensitiveType: TPM_ALG.RSA,
    authValue: EMPTY,
    seedValue: EMPTY,
    sensitive: Buffer.from(jwk.p!, "base64url"),
  };
  return load(tpm, publicArea, sensitive, publicKey);
}

/** An ECC NIST P-256 key with `attributes` (a decryption key by default), nameAlg SHA-256 and no scheme. */
export function loadEccKey(tpm: TpmEmulator, attributes = KEY_ATTRIBUTES | O.decrypt, publicOnly = false): LoadedKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const publicArea: TPMT_PUBLIC = {
    type: TPM_ALG.ECC,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: attributes,
    authPolicy: EMPTY,
    parameters: {
      symmetric: NULL_SYM,
      scheme: { scheme: TPM_ALG.NULL, details: undefined },
      curveID: 0x0003,
      kdf: { scheme: TPM_ALG.NULL, details: undefined },
    },
    unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
  };
  const sensitive: TPMT_SENSITIVE = {
    sensitiveType: TPM_ALG.ECC,
    authValue: EMPTY,
    seedValue: EMPTY,
    sensitive: Buffer.from(jwk.d!, "base64url"),
  };
  return load(tpm, publicArea, publicOnly ? undefined : sensitive, publicKey);
}

/** Big-endian UINT32 as bytes. */
export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}
