/**
 * Device join ("Joining your organization's network"): the device registration API, our own JSON shape modelled on
 * Entra device registration (`POST /EnrollmentServer/device/`), and the offline domain join blob of hybrid join.
 *
 *   POST {base}EnrollmentServer/device/   application/json   JoinRequest → JoinResponse
 *   errors: HTTP status + ErrorBody (protocol/errors.ts), JSON
 *
 * JoinRequest:
 *   { "v": 1,
 *     "mode": "self-deploying" | "pre-provisioning" | "user-driven",
 *     "joinType": "entra" | "hybrid",
 *     "serialNumber": "<the registered device's serial number or ZTD id>",
 *     "deviceName"?: "<computer name>",
 *     "deviceKey": "<base64 TPM2B_PUBLIC of the device key made in the TPM>",
 *     "attestation"?: {                          required for self-deploying and pre-provisioning
 *        "aikCertificate": "<base64 DER>", "akPublic": "<base64 TPM2B_PUBLIC>", "token": "<attestation JWT>",
 *        "certifyInfo": "<base64 TPM2B_ATTEST of TPM2_Certify(deviceKey) by the AK, qualifyingData = SHA-256(token)>",
 *        "certifySignature": "<base64 TPMT_SIGNATURE>" },
 *     "credentials"?: { "userPrincipalName": "...", "password": "..." }   required for user-driven }
 *
 * JoinResponse:
 *   { "v": 1, "deviceId": "<uuid>", "joinType": "entra" | "hybrid",
 *     "deviceCertificate": "<base64 DER, CN = deviceId, the device key's public key>",
 *     "deviceCertificateChain": ["<base64 DER of the device registration CA>"],
 *     "deviceToken": "<JWT ES256>",
 *     "odjBlob"?: "<hybrid only: the offline domain join blob>" }
 *
 * Offline domain join blob (hybrid): base64 of the UTF-8 JSON
 *   { "v": 1, "domain": "corp.contoso.example", "netbiosDomain": "CORP", "machineName": "APSIM-1A2B3C4D",
 *     "machinePassword": "<secret>", "domainController": "<virtual host name of the DC, *.apsim.test>" }
 * (Windows' djoin blob is a binary NDR structure; ours carries the same facts.) The device proves the machine
 * account to the domain controller at `https://<domainController>/netlogon/v1/secure-channel` (virtual host,
 * mapped under the base URL) with JSON { machineName, machinePassword }; the DC answers { domain, domainController }.
 */
import { ProtocolError } from "./errors.js";

export const JOIN_API_VERSION = 1;
export const JOIN_MEDIA_TYPE = "application/json";
/** Path of the join endpoint below the base URL (as Entra's `EnrollmentServer/device/`). */
export const JOIN_PATH = "EnrollmentServer/device/";
/** Path of the secure-channel check below a domain controller's virtual host. */
export const DOMAIN_CONTROLLER_SECURE_CHANNEL_PATH = "netlogon/v1/secure-channel";

export const JOIN_LIMITS = Object.freeze({
  maxBodyBytes: 64 * 1024,
  maxCertificateBytes: 8 * 1024,
  maxTpmStructureBytes: 4 * 1024,
  maxTokenChars: 16 * 1024,
  maxTextChars: 256,
  maxOdjBlobChars: 4 * 1024,
});

export const JOIN_MODES = ["self-deploying", "pre-provisioning", "user-driven"] as const;
/** The Autopilot deployment mode a device joins in (reference enrollment §3.3). */
export type JoinMode = (typeof JOIN_MODES)[number];
export const JOIN_TYPES = ["entra", "hybrid"] as const;
/** Entra join, or hybrid (Entra plus an on-premises domain through offline domain join). */
export type JoinType = (typeof JOIN_TYPES)[number];

/** The TPM evidence of an attested join. */
export interface JoinAttestation {
  /** DER AIK certificate from the attestation service. */
  readonly aikCertificate: Uint8Array;
  /** TPM2B_PUBLIC of the AK. */
  readonly akPublic: Uint8Array;
  /** The attestation token issued with the AIK certificate. */
  readonly token: string;
  /** TPM2B_ATTEST of TPM2_Certify of the device key by the AK. */
  readonly certifyInfo: Uint8Array;
  /** TPMT_SIGNATURE over certifyInfo by the AK. */
  readonly certifySignature: Uint8Array;
}

export interface JoinCredentials {
  readonly userPrincipalName: string;
  readonly password: string;
}

export interface JoinRequest {
  readonly v: number;
  readonly mode: JoinMode;
  readonly joinType: JoinType;
  readonly serialNumber: string;
  readonly deviceName?: string;
  /** TPM2B_PUBLIC of the device key. */
  readonly deviceKey: Uint8Array;
  readonly attestation?: JoinAttestation;
  readonly credentials?: JoinCredentials;
}

export interface JoinResponse {
  readonly v: number;
  readonly deviceId: string;
  readonly joinType: JoinType;
  readonly deviceCertificate: Uint8Array;
  readonly deviceCertificateChain: readonly Uint8Array[];
  readonly deviceToken: string;
  readonly odjBlob?: string;
}

/** What an offline domain join blob carries. */
export interface OdjBlob {
  readonly v: number;
  readonly domain: string;
  readonly netbiosDomain: string;
  readonly machineName: string;
  /** The machine account's password: a secret, never logged. */
  readonly machinePassword: string;
  readonly domainController: string;
}

/** Whether a deployment mode proves the device with TPM attestation rather than user credentials. */
export function isAttestedMode(mode: JoinMode): boolean {
  return mode !== "user-driven";
}

type Fields = Record<string, unknown>;

function fail(detail: string): never {
  throw new ProtocolError("MALFORMED_REQUEST", detail);
}

function asFields(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`${what} must be an object`);
  return value as Fields;
}

function text(fields: Fields, key: string, max: number = JOIN_LIMITS.maxTextChars): string {
  const value = fields[key];
  if (typeof value !== "string" || value.length === 0 || value.length > max) fail(`${key} must be a string of 1..${max} characters`);
  return value;
}

function optionalText(fields: Fields, key: string, max?: number): string | undefined {
  return fields[key] === undefined ? undefined : text(fields, key, max);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(fields: Fields, key: string, maxBytes: number): Uint8Array {
  const value = text(fields, key, Math.ceil(maxBytes / 3) * 4);
  if (value.length % 4 !== 0 || !BASE64.test(value)) fail(`${key} must be base64`);
  return new Uint8Array(Buffer.from(value, "base64"));
}

function oneOf<T extends string>(fields: Fields, key: string, allowed: readonly T[]): T {
  const value = fields[key];
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) fail(`${key} must be one of ${allowed.join(", ")}`);
  return value as T;
}

function version(fields: Fields): number {
  const v = fields["v"];
  if (typeof v !== "number" || !Number.isInteger(v)) fail("v must be an integer");
  if (v !== JOIN_API_VERSION) throw new ProtocolError("UNSUPPORTED_VERSION", `v=${v}`);
  return v;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64");

function parseAttestation(value: unknown): JoinAttestation {
  const fields = asFields(value, "attestation");
  const limits = JOIN_LIMITS;
  return {
    aikCertificate: base64(fields, "aikCertificate", limits.maxCertificateBytes),
    akPublic: base64(fields, "akPublic", limits.maxTpmStructureBytes),
    token: text(fields, "token", limits.maxTokenChars),
    certifyInfo: base64(fields, "certifyInfo", limits.maxTpmStructureBytes),
    certifySignature: base64(fields, "certifySignature", limits.maxTpmStructureBytes),
  };
}

/**
 * Validates a JSON join request. Attested modes need `attestation`, user-driven needs `credentials`, and a
 * self-deploying device joins Entra only (memdocs autopilot/self-deploying.md: no hybrid).
 * @throws ProtocolError MALFORMED_REQUEST naming the field, UNSUPPORTED_VERSION.
 */
export function parseJoinRequest(value: unknown): JoinRequest {
  const fields = asFields(value, "join request");
  const v = version(fields);
  const mode = oneOf(fields, "mode", JOIN_MODES);
  const joinType = oneOf(fields, "joinType", JOIN_TYPES);
  if (mode === "self-deploying" && joinType === "hybrid") fail("self-deploying mode supports Entra join only");
  const deviceName = optionalText(fields, "deviceName", 63);
  const request: JoinRequest = {
    v,
    mode,
    joinType,
    serialNumber: text(fields, "serialNumber"),
    ...(deviceName === undefined ? {} : { deviceName }),
    deviceKey: base64(fields, "deviceKey", JOIN_LIMITS.maxTpmStructureBytes),
  };
  if (isAttestedMode(mode)) {
    if (fields["attestation"] === undefined) fail(`${mode} mode needs attestation`);
    return { ...request, attestation: parseAttestation(fields["attestation"]) };
  }
  if (fields["credentials"] === undefined) fail("user-driven mode needs credentials");
  const credentials = asFields(fields["credentials"], "credentials");
  return {
    ...request,
    credentials: { userPrincipalName: text(credentials, "userPrincipalName"), password: text(credentials, "password") },
  };
}

/** The JSON body of a join request. */
export function formatJoinRequest(request: JoinRequest): Record<string, unknown> {
  const { attestation, credentials } = request;
  return {
    v: request.v,
    mode: request.mode,
    joinType: request.joinType,
    serialNumber: request.serialNumber,
    ...(request.deviceName === undefined ? {} : { deviceName: request.deviceName }),
    deviceKey: b64(request.deviceKey),
    ...(attestation === undefined
      ? {}
      : {
          attestation: {
            aikCertificate: b64(attestation.aikCertificate),
            akPublic: b64(attestation.akPublic),
            token: attestation.token,
            certifyInfo: b64(attestation.certifyInfo),
            certifySignature: b64(attestation.certifySignature),
          },
        }),
    ...(credentials === undefined ? {} : { credentials: { userPrincipalName: credentials.userPrincipalName, password: credentials.password } }),
  };
}

/** The JSON body of a join response. */
export function formatJoinResponse(response: JoinResponse): Record<string, unknown> {
  return {
    v: response.v,
    deviceId: response.deviceId,
    joinType: response.joinType,
    deviceCertificate: b64(response.deviceCertificate),
    deviceCertificateChain: response.deviceCertificateChain.map(b64),
    deviceToken: response.deviceToken,
    ...(response.odjBlob === undefined ? {} : { odjBlob: response.odjBlob }),
  };
}

/** Validates a JSON join response (a device checks what the service sent). */
export function parseJoinResponse(value: unknown): JoinResponse {
  const fields = asFields(value, "join response");
  const chain = fields["deviceCertificateChain"] ?? [];
  if (!Array.isArray(chain) || chain.length > 4) fail("deviceCertificateChain must be an array of at most 4 certificates");
  const odjBlob = optionalText(fields, "odjBlob", JOIN_LIMITS.maxOdjBlobChars);
  return {
    v: version(fields),
    deviceId: text(fields, "deviceId", 64),
    joinType: oneOf(fields, "joinType", JOIN_TYPES),
    deviceCertificate: base64(fields, "deviceCertificate", JOIN_LIMITS.maxCertificateBytes),
    deviceCertificateChain: chain.map((item: unknown, index) =>
      base64({ [`deviceCertificateChain[${index}]`]: item }, `deviceCertificateChain[${index}]`, JOIN_LIMITS.maxCertificateBytes),
    ),
    deviceToken: text(fields, "deviceToken", JOIN_LIMITS.maxTokenChars),
    ...(odjBlob === undefined ? {} : { odjBlob }),
  };
}

/** Encodes an offline domain join blob. */
export function formatOdjBlob(blob: Omit<OdjBlob, "v">): string {
  const document: OdjBlob = { v: JOIN_API_VERSION, ...blob };
  return Buffer.from(JSON.stringify(document), "utf8").toString("base64");
}

/**
 * Decodes an offline domain join blob.
 * @throws ProtocolError MALFORMED_REQUEST when it is not one.
 */
export function parseOdjBlob(blob: string): OdjBlob {
  if (blob.length > JOIN_LIMITS.maxOdjBlobChars || blob.length % 4 !== 0 || !BASE64.test(blob)) fail("odjBlob must be base64");
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(blob, "base64").toString("utf8"));
  } catch {
    fail("odjBlob does not hold JSON");
  }
  const fields = asFields(value, "odjBlob");
  const domainController = text(fields, "domainController");
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.apsim\.test$/.test(domainController)) fail("domainController must be a virtual host name");
  return {
    v: version(fields),
    domain: text(fields, "domain"),
    netbiosDomain: text(fields, "netbiosDomain", 15),
    machineName: text(fields, "machineName", 15),
    machinePassword: text(fields, "machinePassword"),
    domainController,
  };
}
