/**
 * "Joining your organization's network" on the device: make the device key in the TPM, certify it with the AK
 * (attested modes), send the join request (protocol/join.ts) over HTTPS trusting the home's TLS CA, check the
 * device identity certificate certifies the device key, and for a hybrid join apply the offline domain join blob.
 * Never throws for a failed join: the outcome carries the code and the HRESULT Windows would show.
 */
import { createHash, X509Certificate } from "node:crypto";
import type { Dispatcher } from "undici";
import { createHttpsAgent } from "../../lib/index.js";
import {
  JOIN_API_VERSION,
  JOIN_PATH,
  formatJoinRequest,
  isAttestedMode,
  normalizeBaseUrl,
  parseJoinResponse,
  type JoinCredentials,
  type JoinMode,
  type JoinRequest,
  type JoinResponse,
  type JoinType,
} from "../../protocol/index.js";
import { TPM2B_PUBLIC, marshal, publicKeyOf } from "../../tpm2/index.js";
import { serviceFailure, tpmFailure } from "../attestation/failures.js";
import { postJson, type Exchange } from "../attestation/http-exchange.js";
import { AttestationFailure, OK_CODE, S_OK, type AttestationOutcome } from "../attestation/outcome.js";
import type { TpmDevice } from "../tpm/tpm-device.js";
import { createDeviceKey, type CertifiedDeviceKey, type DeviceKeyKind } from "./device-key.js";
import { applyOfflineDomainJoin, type DomainMembership } from "./domain-join.js";

/** Options of {@link joinDevice}. */
export interface JoinDeviceOptions {
  /** The device's open TPM (left open). */
  readonly tpm: TpmDevice;
  /** Base URL of the services. */
  readonly serverUrl: string;
  /** PEM trust anchors of the services' TLS (the home's TLS CA); ignored with `dispatcher`. */
  readonly ca?: string;
  /** An undici dispatcher to reuse; otherwise one is made and closed here. */
  readonly dispatcher?: Dispatcher;
  readonly mode: JoinMode;
  /** Default Entra join. */
  readonly joinType?: JoinType;
  /** The serial number (or ZTD id) the device is registered under. */
  readonly serialNumber: string;
  readonly deviceName?: string;
  /** Default ECC P-256 (cheap to make); Windows makes RSA-2048. */
  readonly deviceKey?: DeviceKeyKind;
  /** Attested modes: the outcome of `attestDevice` with `keepAk` (its AK stays loaded; the caller flushes it). */
  readonly attestation?: AttestationOutcome;
  /** User-driven mode: the user's sign-in. */
  readonly credentials?: JoinCredentials;
  /** Deadline of one HTTP request, ms. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

/** What a join reports. */
export interface JoinOutcome {
  readonly ok: boolean;
  readonly code: string;
  readonly hresult: string;
  readonly deviceId: string | null;
  /** PEM of the device identity certificate. */
  readonly deviceCertificate: string | null;
  readonly deviceToken: string | null;
  /** Hybrid join: the domain joined. */
  readonly domain?: DomainMembership;
  /** The device key's TPM2B_PUBLIC and TPM2B_PRIVATE (reload under the SRK to use it). */
  readonly deviceKey?: { readonly publicBytes: Uint8Array; readonly privateBytes: Uint8Array };
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function failed(failure: AttestationFailure): JoinOutcome {
  return { ok: false, code: failure.code, hresult: failure.hresultText, deviceId: null, deviceCertificate: null, deviceToken: null };
}

function invalidAnswer(detail: string): AttestationFailure {
  return AttestationFailure.of("JOIN_RESPONSE_INVALID", detail);
}

/** The AK, certificate and token an attested join presents. */
function attestationEvidence(outcome: AttestationOutcome | undefined) {
  if (outcome === undefined || !outcome.ok || outcome.attestationKey === undefined || outcome.token === undefined || outcome.akCertificate === null) {
    throw AttestationFailure.of("JOIN_ATTESTATION_INVALID", "an attested join needs a completed attestation made with keepAk");
  }
  return { ak: outcome.attestationKey, token: outcome.token, aikCertificate: new Uint8Array(new X509Certificate(outcome.akCertificate).raw) };
}

/** The device certificate must certify our device key. */
function checkDeviceCertificate(response: JoinResponse, key: CertifiedDeviceKey): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(response.deviceCertificate);
  } catch (error) {
    throw AttestationFailure.of("JOIN_RESPONSE_INVALID", "the device certificate does not parse", error);
  }
  const ours = publicKeyOf(key.public).export({ type: "spki", format: "der" });
  if (!certificate.publicKey.export({ type: "spki", format: "der" }).equals(ours)) throw invalidAnswer("the device certificate certifies another key");
  if (certificate.subject !== `CN=${response.deviceId}`) throw invalidAnswer("the device certificate names another device");
  return certificate;
}

async function joinWith(options: JoinDeviceOptions, exchange: Exchange): Promise<JoinOutcome> {
  const attested = isAttestedMode(options.mode);
  const evidence = attested ? attestationEvidence(options.attestation) : undefined;
  const key = await createDeviceKey(options.tpm, {
    kind: options.deviceKey ?? "ecc",
    ...(evidence === undefined ? {} : { ak: evidence.ak.handle, qualifyingData: createHash("sha256").update(evidence.token, "utf8").digest() }),
  }).catch((error: unknown) => {
    throw tpmFailure(error);
  });
  const request: JoinRequest = {
    v: JOIN_API_VERSION,
    mode: options.mode,
    joinType: options.joinType ?? "entra",
    serialNumber: options.serialNumber,
    ...(options.deviceName === undefined ? {} : { deviceName: options.deviceName }),
    deviceKey: key.publicBytes,
    ...(evidence === undefined
      ? {}
      : {
          attestation: {
            aikCertificate: evidence.aikCertificate,
            akPublic: marshal(TPM2B_PUBLIC, evidence.ak.public),
            token: evidence.token,
            certifyInfo: key.certifyInfo,
            certifySignature: key.certifySignature,
          },
        }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const url = new URL(JOIN_PATH, normalizeBaseUrl(options.serverUrl)).href;
  let response: JoinResponse;
  try {
    response = parseJoinResponse(await postJson(url, formatJoinRequest(request), exchange));
  } catch (error) {
    const failure = serviceFailure(error);
    throw failure.code === "MALFORMED_REQUEST" && !(error instanceof AttestationFailure) ? invalidAnswer(failure.message) : failure;
  }
  const certificate = checkDeviceCertificate(response, key);
  let domain: DomainMembership | undefined;
  if (request.joinType === "hybrid") {
    if (response.odjBlob === undefined) throw invalidAnswer("a hybrid join answer carries no offline domain join blob");
    domain = await applyOfflineDomainJoin(response.odjBlob, options.serverUrl, exchange);
  }
  return {
    ok: true,
    code: OK_CODE,
    hresult: S_OK,
    deviceId: response.deviceId,
    deviceCertificate: certificate.toString(),
    deviceToken: response.deviceToken,
    ...(domain === undefined ? {} : { domain }),
    deviceKey: { publicBytes: key.publicBytes, privateBytes: key.privateBytes },
  };
}

/** Joins the device; the outcome says how it went. */
export async function joinDevice(options: JoinDeviceOptions): Promise<JoinOutcome> {
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const dispatcher = options.dispatcher ?? createHttpsAgent({ ...(options.ca === undefined ? {} : { ca: options.ca }), timeoutMs });
  try {
    return await joinWith(options, { dispatcher, timeoutMs });
  } catch (error) {
    return failed(serviceFailure(error));
  } finally {
    if (options.dispatcher === undefined) await dispatcher.close();
  }
}
