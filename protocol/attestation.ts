/**
 * The attestation API (HTTPS, `application/cbor`, versioned paths): what a device sends to obtain an AIK
 * certificate and what the service answers. TPM structures travel as their marshalled bytes (TPM 2.0
 * Part 2) so that any TSS can produce them; the service unmarshals them with tpm2/'s codec.
 *
 *   POST {base}attestation/v1/challenge  ChallengeRequest → ChallengeResponse
 *   POST {base}attestation/v1/proof      ProofRequest     → ProofResponse
 *   errors: HTTP status + ErrorBody (protocol/errors.ts)
 */
import { ProtocolError } from "./errors.js";

export const ATTESTATION_API_VERSION = 1;
export const ATTESTATION_MEDIA_TYPE = "application/cbor";
export const ATTESTATION_PATHS = Object.freeze({
  challenge: "attestation/v1/challenge",
  proof: "attestation/v1/proof",
});

/** Bounds on every request (the service answers BODY_TOO_LARGE / EK_CHAIN_TOO_LONG beyond them). */
export const ATTESTATION_LIMITS = Object.freeze({
  maxBodyBytes: 64 * 1024,
  maxCertificateBytes: 8 * 1024,
  maxIntermediates: 6,
  maxTpmStructureBytes: 4 * 1024,
  maxPcrValues: 24,
});

/** What the TPM reports of itself (GetCapability TPM_PT_* fixed properties). */
export interface TpmProperties {
  /** TPM_PT_MANUFACTURER, e.g. 0x49465800 for IFX. */
  readonly manufacturer: number;
  /** TPM_PT_FIRMWARE_VERSION_1 and _2. */
  readonly firmwareVersion1: number;
  readonly firmwareVersion2: number;
  /** TPM_PT_REVISION (e.g. 138 for 1.38) and TPM_PT_LEVEL. */
  readonly specRevision: number;
  readonly specLevel: number;
  /** TPM_PT_VENDOR_STRING_1..4 decoded (trailing NULs removed). */
  readonly vendorString: string;
  /** "2.0" for a TPM 2.0; a device with a TPM 1.2 part sends "1.2". */
  readonly family: string;
}

/** Step 1: who the TPM is and the AK it made. */
export interface ChallengeRequest {
  readonly v: number;
  /** TPM2B_PUBLIC of the EK. */
  readonly ekPublic: Uint8Array;
  /** DER EK certificate (from NV or the vendor endpoint); absent: the service fetches it (firmware TPMs). */
  readonly ekCertificate?: Uint8Array;
  /** DER intermediates the device collected by walking AIA (Windows prepends them). */
  readonly ekIntermediates: readonly Uint8Array[];
  /** TPM2B_PUBLIC of the AK. */
  readonly akPublic: Uint8Array;
  /** TPM2B_CREATION_DATA from the AK's creation. */
  readonly akCreationData: Uint8Array;
  /** TPM2B_ATTEST from TPM2_CertifyCreation of the AK by itself (TPM_ST_ATTEST_CREATION). */
  readonly akCreationAttest: Uint8Array;
  /** TPMT_SIGNATURE over akCreationAttest by the AK. */
  readonly akCreationSignature: Uint8Array;
  readonly tpm: TpmProperties;
  /** The device's wall clock, ms since the epoch. */
  readonly deviceTime: number;
}

/** Step 2: the credential to activate and the nonce to quote. */
export interface ChallengeResponse {
  readonly v: number;
  readonly sessionId: string;
  /** TPM2B_ID_OBJECT from TPM2_MakeCredential(EK, AK name, secret). */
  readonly credentialBlob: Uint8Array;
  /** TPM2B_ENCRYPTED_SECRET from the same. */
  readonly encryptedSecret: Uint8Array;
  /** Qualifying data for the quote; single use. */
  readonly nonce: Uint8Array;
  /** TPML_PCR_SELECTION to quote. */
  readonly pcrSelection: Uint8Array;
  /** Session expiry, ms since the epoch (service clock). */
  readonly expiresAt: number;
}

/** One PCR value the device reports beside its quote. */
export interface PcrValue {
  /** TPM_ALG_ID of the bank. */
  readonly hashAlg: number;
  readonly index: number;
  readonly value: Uint8Array;
}

/** Step 3: the activated secret and a quote over the nonce. */
export interface ProofRequest {
  readonly v: number;
  readonly sessionId: string;
  /** The secret TPM2_ActivateCredential returned (TPM2B_DIGEST buffer, no size prefix). */
  readonly secret: Uint8Array;
  /** TPM2B_ATTEST from TPM2_Quote. */
  readonly quote: Uint8Array;
  /** TPMT_SIGNATURE over the quote by the AK. */
  readonly quoteSignature: Uint8Array;
  readonly pcrValues: readonly PcrValue[];
  readonly deviceTime: number;
}

/** Step 4: the AIK certificate and a token the deployment service accepts. */
export interface ProofResponse {
  readonly v: number;
  /** DER AIK certificate. */
  readonly akCertificate: Uint8Array;
  /** DER certificates above it: the `<VENDOR>-KEYID-…` intermediate, then the TPM root. */
  readonly akCertificateChain: readonly Uint8Array[];
  /** Signed attestation token (JWT, ES256) naming the AK, the EK and the TPM. */
  readonly token: string;
}

type Fields = Record<string, unknown>;

function fail(detail: string): never {
  throw new ProtocolError("MALFORMED_REQUEST", detail);
}

function asFields(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    fail(`${what} must be a map`);
  }
  return value as Fields;
}

function bytes(fields: Fields, key: string, max: number): Uint8Array {
  const value = fields[key];
  if (!(value instanceof Uint8Array)) fail(`${key} must be a byte string`);
  if (value.length === 0 || value.length > max) fail(`${key} must hold 1..${max} bytes`);
  return value;
}

function optionalBytes(fields: Fields, key: string, max: number): Uint8Array | undefined {
  return fields[key] === undefined || fields[key] === null ? undefined : bytes(fields, key, max);
}

function uint(fields: Fields, key: string, max = 0xffffffff): number {
  const value = fields[key];
  const number = typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < 0 || number > max) {
    fail(`${key} must be an integer in 0..${max}`);
  }
  return number;
}

function text(fields: Fields, key: string, max: number): string {
  const value = fields[key];
  if (typeof value !== "string" || value.length > max) fail(`${key} must be a string of at most ${max} characters`);
  return value;
}

function list(fields: Fields, key: string, max: number): unknown[] {
  const value = fields[key] ?? [];
  if (!Array.isArray(value)) fail(`${key} must be an array`);
  if (value.length > max) throw new ProtocolError("EK_CHAIN_TOO_LONG", `${key} holds more than ${max} items`);
  return value;
}

function version(fields: Fields): number {
  const v = uint(fields, "v", 0xffff);
  if (v !== ATTESTATION_API_VERSION) throw new ProtocolError("UNSUPPORTED_VERSION", `v=${v}`);
  return v;
}

const MAX_TIME = 8.64e15;

/** Validates a decoded CBOR value as a {@link ChallengeRequest}; throws MALFORMED_REQUEST with the field. */
export function parseChallengeRequest(value: unknown): ChallengeRequest {
  const fields = asFields(value, "challenge request");
  const limits = ATTESTATION_LIMITS;
  const tpm = asFields(fields["tpm"], "tpm");
  const ekCertificate = optionalBytes(fields, "ekCertificate", limits.maxCertificateBytes);
  return {
    v: version(fields),
    ekPublic: bytes(fields, "ekPublic", limits.maxTpmStructureBytes),
    ...(ekCertificate === undefined ? {} : { ekCertificate }),
    ekIntermediates: list(fields, "ekIntermediates", limits.maxIntermediates).map((item, index) =>
      bytes({ [`ekIntermediates[${index}]`]: item }, `ekIntermediates[${index}]`, limits.maxCertificateBytes),
    ),
    akPublic: bytes(fields, "akPublic", limits.maxTpmStructureBytes),
    akCreationData: bytes(fields, "akCreationData", limits.maxTpmStructureBytes),
    akCreationAttest: bytes(fields, "akCreationAttest", limits.maxTpmStructureBytes),
    akCreationSignature: bytes(fields, "akCreationSignature", limits.maxTpmStructureBytes),
    tpm: {
      manufacturer: uint(tpm, "manufacturer"),
      firmwareVersion1: uint(tpm, "firmwareVersion1"),
      firmwareVersion2: uint(tpm, "firmwareVersion2"),
      specRevision: uint(tpm, "specRevision"),
      specLevel: uint(tpm, "specLevel"),
      vendorString: text(tpm, "vendorString", 16),
      family: text(tpm, "family", 8),
    },
    deviceTime: uint(fields, "deviceTime", MAX_TIME),
  };
}

/** Validates a decoded CBOR value as a {@link ChallengeResponse}. */
export function parseChallengeResponse(value: unknown): ChallengeResponse {
  const fields = asFields(value, "challenge response");
  const limits = ATTESTATION_LIMITS;
  return {
    v: version(fields),
    sessionId: text(fields, "sessionId", 128),
    credentialBlob: bytes(fields, "credentialBlob", limits.maxTpmStructureBytes),
    encryptedSecret: bytes(fields, "encryptedSecret", limits.maxTpmStructureBytes),
    nonce: bytes(fields, "nonce", 64),
    pcrSelection: bytes(fields, "pcrSelection", 256),
    expiresAt: uint(fields, "expiresAt", MAX_TIME),
  };
}

/** Validates a decoded CBOR value as a {@link ProofRequest}. */
export function parseProofRequest(value: unknown): ProofRequest {
  const fields = asFields(value, "proof request");
  const limits = ATTESTATION_LIMITS;
  const pcrValues = fields["pcrValues"] ?? [];
  if (!Array.isArray(pcrValues) || pcrValues.length > limits.maxPcrValues) {
    fail(`pcrValues must be an array of at most ${limits.maxPcrValues} entries`);
  }
  return {
    v: version(fields),
    sessionId: text(fields, "sessionId", 128),
    secret: bytes(fields, "secret", 64),
    quote: bytes(fields, "quote", limits.maxTpmStructureBytes),
    quoteSignature: bytes(fields, "quoteSignature", limits.maxTpmStructureBytes),
    pcrValues: pcrValues.map((item: unknown, position) => {
      const entry = asFields(item, `pcrValues[${position}]`);
      return { hashAlg: uint(entry, "hashAlg", 0xffff), index: uint(entry, "index", 31), value: bytes(entry, "value", 64) };
    }),
    deviceTime: uint(fields, "deviceTime", MAX_TIME),
  };
}

/** Validates a decoded CBOR value as a {@link ProofResponse}. */
export function parseProofResponse(value: unknown): ProofResponse {
  const fields = asFields(value, "proof response");
  const limits = ATTESTATION_LIMITS;
  return {
    v: version(fields),
    akCertificate: bytes(fields, "akCertificate", limits.maxCertificateBytes),
    akCertificateChain: list(fields, "akCertificateChain", limits.maxIntermediates).map((item, index) =>
      bytes({ [`akCertificateChain[${index}]`]: item }, `akCertificateChain[${index}]`, limits.maxCertificateBytes),
    ),
    token: text(fields, "token", 16 * 1024),
  };
}
