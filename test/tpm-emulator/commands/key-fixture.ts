// Shared by the attestation, signing, hash and credential command specs: a started in-memory TPM, key
// templates, primary keys, and signature checks done with node:crypto alone (independent of the emulator's code).
import { createPublicKey, createVerify, constants, type KeyObject } from "node:crypto";
import {
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TPM_ST,
  TPM_SU,
  TPMA_OBJECT,
  TpmClient,
  pw,
  type TPMS_ECC_POINT,
  type TPMT_PUBLIC,
  type TPMT_SIG_SCHEME,
  type TPMT_SIGNATURE,
  type TPMT_TK_HASHCHECK,
} from "../../../tpm2/index.js";
import { TpmEmulator } from "../../../tpm-emulator/index.js";

export const EMPTY = Buffer.alloc(0);
export const NULL_SCHEME: TPMT_SIG_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
export const NULL_HASHCHECK: TPMT_TK_HASHCHECK = { tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL, digest: EMPTY };
const NO_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };

/** A response code with handle number n (Part 2 §6.6.3). */
export function atHandle(rc: number, n: number): number {
  return rc | (n * TPM_RC_1);
}

/** A response code with parameter number n. */
export function atParameter(rc: number, n: number): number {
  return rc | TPM_RC_P | (n * TPM_RC_1);
}

/** A fixed manufacturing seed, so primary keys derive the same way in every spec (and RSA derivation is cached). */
const SEED = Buffer.alloc(32, 0x5a);

/** A fresh in-memory TPM after TPM2_Startup(CLEAR), and a client for it. */
export async function startedTpm(): Promise<{ tpm: TpmEmulator; client: TpmClient }> {
  const tpm = TpmEmulator.create({ seed: SEED });
  const client = new TpmClient((c) => tpm.execute(c));
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  return { tpm, client };
}

const BASE = TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.userWithAuth;

/** An unrestricted signing key with no scheme of its own (the caller picks one per signature). */
export function signingKeyTemplate(kind: "rsa" | "ecc", scheme: TPMT_SIG_SCHEME = NULL_SCHEME): TPMT_PUBLIC {
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: BASE | TPMA_OBJECT.sign | TPMA_OBJECT.noDA, authPolicy: EMPTY };
  return kind === "rsa"
    ? { ...common, type: TPM_ALG.RSA, parameters: { symmetric: NO_SYM, scheme, keyBits: 2048, exponent: 0 }, unique: EMPTY }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: { symmetric: NO_SYM, scheme, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NULL_SCHEME },
        unique: { x: EMPTY, y: EMPTY },
      };
}

/** A keyed-hash signing key with an HMAC scheme. */
export function hmacKeyTemplate(hashAlg: number = TPM_ALG.SHA256): TPMT_PUBLIC {
  return {
    type: TPM_ALG.KEYEDHASH,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: BASE | TPMA_OBJECT.sign | TPMA_OBJECT.noDA,
    authPolicy: EMPTY,
    parameters: { scheme: { scheme: TPM_ALG.HMAC, details: { hashAlg } } },
    unique: EMPTY,
  };
}

/** A restricted decryption (storage) key usable with a password, e.g. a credential protector without a policy. */
export function storageKeyTemplate(kind: "rsa" | "ecc"): TPMT_PUBLIC {
  const common = {
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: BASE | TPMA_OBJECT.noDA | TPMA_OBJECT.restricted | TPMA_OBJECT.decrypt,
    authPolicy: EMPTY,
  };
  return kind === "rsa"
    ? { ...common, type: TPM_ALG.RSA, parameters: { symmetric: AES128_CFB, scheme: NULL_SCHEME, keyBits: 2048, exponent: 0 }, unique: EMPTY }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: { symmetric: AES128_CFB, scheme: NULL_SCHEME, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NULL_SCHEME },
        unique: { x: Buffer.alloc(32), y: Buffer.alloc(32) },
      };
}

/** TPM2_CreatePrimary with an empty userAuth and no creation PCRs. */
export async function createPrimary(client: TpmClient, hierarchy: number, template: TPMT_PUBLIC) {
  return client.run("CreatePrimary", {
    handles: [hierarchy],
    auths: [pw()],
    params: { inSensitive: { userAuth: EMPTY, data: EMPTY }, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
  });
}

/** A policy session satisfying the default EK policy, PolicySecret(TPM_RH_ENDORSEMENT). */
export async function ekPolicySession(client: TpmClient) {
  const session = await client.startSession({ type: "policy" });
  await client.run("PolicySecret", {
    handles: [TPM_RH.ENDORSEMENT, session.handle],
    auths: [pw()],
    params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
  });
  return session;
}

/** The public key of a TPMT_PUBLIC, built from its JWK form here rather than by library code. */
export function nodePublicKey(pub: TPMT_PUBLIC): KeyObject {
  if (pub.type === TPM_ALG.RSA) {
    const exponent = (pub.parameters as { exponent: number }).exponent || 65537;
    const e = Buffer.from(exponent.toString(16).padStart(6, "0"), "hex");
    return createPublicKey({ key: { kty: "RSA", n: Buffer.from(pub.unique as Uint8Array).toString("base64url"), e: e.toString("base64url") }, format: "jwk" });
  }
  const { x, y } = pub.unique as TPMS_ECC_POINT;
  const crv = (pub.parameters as { curveID: number }).curveID === TPM_ECC_CURVE.NIST_P384 ? "P-384" : "P-256";
  return createPublicKey({
    key: { kty: "EC", crv, x: Buffer.from(x).toString("base64url"), y: Buffer.from(y).toString("base64url") },
    format: "jwk",
  });
}

const NODE_HASH: Record<number, string> = { [TPM_ALG.SHA1]: "sha1", [TPM_ALG.SHA256]: "sha256", [TPM_ALG.SHA384]: "sha384", [TPM_ALG.SHA512]: "sha512" };

/** node:crypto's verdict on a TPM signature over `message` (RSASSA, RSAPSS or ECDSA). */
export function verifiesWithNode(pub: TPMT_PUBLIC, message: Uint8Array, signature: TPMT_SIGNATURE): boolean {
  const key = nodePublicKey(pub);
  const sig = signature.signature as { hash: number; sig?: Uint8Array; signatureR?: Uint8Array; signatureS?: Uint8Array };
  const verifier = createVerify(NODE_HASH[sig.hash]!).update(message);
  switch (signature.sigAlg) {
    case TPM_ALG.RSASSA:
      return verifier.verify(key, sig.sig!);
    case TPM_ALG.RSAPSS:
      return verifier.verify({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig.sig!);
    case TPM_ALG.ECDSA:
      return verifier.verify({ key, dsaEncoding: "ieee-p1363" }, Buffer.concat([sig.signatureR!, sig.signatureS!]));
    default:
      return false;
  }
}

/** TPMS_SCHEME_HASH-based signing scheme. */
export function scheme(alg: number, hashAlg: number = TPM_ALG.SHA256): TPMT_SIG_SCHEME {
  return { scheme: alg, details: { hashAlg } };
}
