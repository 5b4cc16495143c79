/**
 * The verifier's side of TPM attestation: parse a TPMS_ATTEST (Part 2 §10.12.12), check its signature with the
 * signer's public area using node:crypto, and check a quote against the verifier's nonce and expected PCR digest.
 */
import { constants, verify, type KeyObject } from "node:crypto";
import { unmarshal } from "./codec.js";
import { TPM_ALG, TPM_RC, TPM_ST, TPMA_OBJECT } from "./constants.js";
import { TpmError } from "./errors.js";
import {
  TPMS_ATTEST,
  TPMT_SIGNATURE,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
  type TPMS_QUOTE_INFO,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "./structures.js";
import { eccCurveInfo, eccPublicKeyFromPoint, fixedLength } from "./crypto/ecc.js";
import { hashInfo, isHashAlg } from "./crypto/hash.js";
import { rsaPublicKeyFromModulus } from "./crypto/rsa.js";

/** Public keys imported lately, by their key material (see {@link publicKeyOf}); the oldest entry goes first. */
const importedKeys = new Map<string, KeyObject>();
const MAX_IMPORTED_KEYS = 1024;

function keyMaterialOf(pub: TPMT_PUBLIC): string | undefined {
  if (pub.type === TPM_ALG.RSA) return `rsa:${(pub.parameters as TPMS_RSA_PARMS).exponent}:${Buffer.from(pub.unique as Uint8Array).toString("base64")}`;
  if (pub.type === TPM_ALG.ECC) {
    const point = pub.unique as TPMS_ECC_POINT;
    const x = Buffer.from(point.x).toString("base64");
    return `ecc:${(pub.parameters as TPMS_ECC_PARMS).curveID}:${x}:${Buffer.from(point.y).toString("base64")}`;
  }
  return undefined;
}

function importPublicKey(pub: TPMT_PUBLIC): KeyObject {
  if (pub.type === TPM_ALG.RSA) {
    return rsaPublicKeyFromModulus(pub.unique as Uint8Array, (pub.parameters as TPMS_RSA_PARMS).exponent);
  }
  if (pub.type === TPM_ALG.ECC) {
    const point = pub.unique as TPMS_ECC_POINT;
    return eccPublicKeyFromPoint((pub.parameters as TPMS_ECC_PARMS).curveID, point.x, point.y);
  }
  throw new TpmError(TPM_RC.TYPE, { message: "only RSA and ECC objects have a public key" });
}

/**
 * The public key of an RSA or ECC TPMT_PUBLIC as a node:crypto KeyObject. The same key material gives the same
 * KeyObject while it is among the last thousand imported: a verifier meets one AK twice in an attestation (the
 * creation certification, then the quote), and OpenSSL both validates a point on import and precomputes on a key's
 * first verification, which together cost more than the verification itself. Only keys that imported are kept.
 * @throws TpmError TPM_RC_TYPE for other object types, TPM_RC_ECC_POINT / TPM_RC_CURVE for a bad ECC point.
 */
export function publicKeyOf(pub: TPMT_PUBLIC): KeyObject {
  const material = keyMaterialOf(pub);
  if (material === undefined) return importPublicKey(pub);
  const held = importedKeys.get(material);
  if (held !== undefined) return held;
  const key = importPublicKey(pub);
  if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.delete(importedKeys.keys().next().value!);
  importedKeys.set(material, key);
  return key;
}

/**
 * Parses the bytes of a TPM2B_ATTEST (what Quote, Certify and CertifyCreation return and sign).
 * @throws TpmError when the magic is not TPM_GENERATED_VALUE (TPM_RC_VALUE), the type is unknown, the structure is
 *   malformed (TPM_RC_INSUFFICIENT, TPM_RC_SIZE, …) or bytes follow it (TPM_RC_SIZE).
 */
export function parseAttest(bytes: Uint8Array): TPMS_ATTEST {
  return unmarshal(TPMS_ATTEST, bytes);
}

/** Why a verification failed; stable codes for callers (never match on the message). */
export type AttestFailure = "MALFORMED" | "KEY" | "SCHEME" | "SIGNATURE" | "TYPE" | "NONCE" | "PCR_DIGEST";

/** A failed attestation check. */
export class AttestVerificationError extends Error {
  constructor(
    readonly code: AttestFailure,
    message: string,
  ) {
    super(message);
    this.name = "AttestVerificationError";
  }
}

function fail(code: AttestFailure, message: string): never {
  throw new AttestVerificationError(code, message);
}

/** The signing scheme a key's public area fixes (TPM_ALG_NULL when the key leaves it to the caller). */
function keySchemeOf(pub: TPMT_PUBLIC): { scheme: number; hashAlg: number } {
  const scheme = (pub.parameters as TPMS_RSA_PARMS | TPMS_ECC_PARMS).scheme;
  return { scheme: scheme.scheme, hashAlg: scheme.details?.hashAlg ?? TPM_ALG.NULL };
}

function signatureMatches(key: KeyObject, pub: TPMT_PUBLIC, signature: TPMT_SIGNATURE, data: Uint8Array): boolean {
  const sig = signature.signature as { hash: number; sig?: Uint8Array; signatureR?: Uint8Array; signatureS?: Uint8Array };
  const hash = hashInfo(sig.hash).nodeName;
  try {
    switch (signature.sigAlg) {
      case TPM_ALG.RSASSA:
        return verify(hash, data, key, sig.sig!);
      case TPM_ALG.RSAPSS:
        return verify(
          hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
          sig.sig!,
        );
      case TPM_ALG.ECDSA: {
        const size = eccCurveInfo((pub.parameters as TPMS_ECC_PARMS).curveID).byteLength;
        const r = fixedLength(sig.signatureR!, size);
        const s = fixedLength(sig.signatureS!, size);
        if (r === null || s === null) return false;
        return verify(hash, data, { key, dsaEncoding: "ieee-p1363" }, Buffer.concat([r, s]));
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/**
 * Checks that `signature` is `signerPublic`'s signature over the attestation bytes `attest`. The signer must be a
 * restricted signing key (an unrestricted key can sign anything shaped like a TPMS_ATTEST, so its "attestation"
 * proves nothing); the signature's scheme must suit the key and equal the key's own scheme when it has one.
 * @param signature a TPMT_SIGNATURE or its marshalled bytes.
 * @throws AttestVerificationError MALFORMED, KEY, SCHEME or SIGNATURE.
 */
export function verifyAttestSignature(args: {
  signerPublic: TPMT_PUBLIC;
  attest: Uint8Array;
  signature: TPMT_SIGNATURE | Uint8Array;
}): void {
  const { signerPublic, attest } = args;
  let signature: TPMT_SIGNATURE;
  try {
    signature = args.signature instanceof Uint8Array ? unmarshal(TPMT_SIGNATURE, args.signature) : args.signature;
  } catch (e) {
    fail("MALFORMED", `signature does not parse: ${(e as Error).message}`);
  }
  const attrs = signerPublic.objectAttributes;
  if (!(attrs & TPMA_OBJECT.sign) || !(attrs & TPMA_OBJECT.restricted)) {
    fail("KEY", "the signer is not a restricted signing key");
  }
  const suits =
    (signerPublic.type === TPM_ALG.RSA && (signature.sigAlg === TPM_ALG.RSASSA || signature.sigAlg === TPM_ALG.RSAPSS)) ||
    (signerPublic.type === TPM_ALG.ECC && signature.sigAlg === TPM_ALG.ECDSA);
  if (!suits) fail("SCHEME", `signature algorithm 0x${signature.sigAlg.toString(16)} does not suit the key`);
  const hashAlg = (signature.signature as { hash: number }).hash;
  if (!isHashAlg(hashAlg)) fail("SCHEME", "signature names no usable hash");
  const keyScheme = keySchemeOf(signerPublic);
  if (keyScheme.scheme !== TPM_ALG.NULL && (keyScheme.scheme !== signature.sigAlg || keyScheme.hashAlg !== hashAlg)) {
    fail("SCHEME", "signature scheme differs from the key's scheme");
  }
  let key: KeyObject;
  try {
    key = publicKeyOf(signerPublic);
  } catch (e) {
    fail("KEY", `unusable signer public key: ${(e as Error).message}`);
  }
  if (!signatureMatches(key, signerPublic, signature, attest)) fail("SIGNATURE", "signature does not verify");
}

/** A quote that passed {@link verifyQuote}. */
export interface VerifiedQuote {
  attest: TPMS_ATTEST;
  quote: TPMS_QUOTE_INFO;
}

/**
 * Verifies a TPM2_Quote as a remote verifier does: the AK's signature over the TPMS_ATTEST bytes (see
 * {@link verifyAttestSignature}), type TPM_ST_ATTEST_QUOTE, extraData equal to the verifier's nonce, and, when
 * given, the PCR digest the verifier expects.
 * @param attest the TPM2B_ATTEST contents (`quoted`), exactly as signed.
 * @throws AttestVerificationError MALFORMED, KEY, SCHEME, SIGNATURE, TYPE, NONCE or PCR_DIGEST.
 */
export function verifyQuote(args: {
  akPublic: TPMT_PUBLIC;
  attest: Uint8Array;
  signature: TPMT_SIGNATURE | Uint8Array;
  nonce: Uint8Array;
  pcrDigest?: Uint8Array;
}): VerifiedQuote {
  let attest: TPMS_ATTEST;
  try {
    attest = parseAttest(args.attest);
  } catch (e) {
    fail("MALFORMED", `attestation does not parse: ${(e as Error).message}`);
  }
  verifyAttestSignature({ signerPublic: args.akPublic, attest: args.attest, signature: args.signature });
  if (attest.type !== TPM_ST.ATTEST_QUOTE) fail("TYPE", `not a quote (type 0x${attest.type.toString(16)})`);
  if (Buffer.compare(attest.extraData, args.nonce) !== 0) fail("NONCE", "extraData is not the nonce");
  const quote = attest.attested as TPMS_QUOTE_INFO;
  if (args.pcrDigest !== undefined && Buffer.compare(quote.pcrDigest, args.pcrDigest) !== 0) {
    fail("PCR_DIGEST", "pcrDigest differs from the expected PCR values");
  }
  return { attest, quote };
}
