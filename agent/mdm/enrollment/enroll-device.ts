/**
 * "Registering your device for mobile management": the MS-MDE2 client as Windows runs it. Discovery (GET, then
 * POST Discover at /EnrollmentServer/Discovery.svc on the root of the server's URL, MS-MDE2 §3.1), the
 * certificate policy (MS-XCEP GetPolicies, §3.3), then enrollment (MS-WSTEP RequestSecurityToken with a base64
 * PKCS#10 and the AdditionalContext, §3.4), and the checks of what comes back. The WS-Security token follows the
 * credential: a UsernameToken (OnPremise), the authentication page's token (Federated), or a joined device's JWT.
 * A joined device skips discovery (its MDM URLs come with its join) unless it has an e-mail address to discover with.
 */
import type { KeyObject } from "node:crypto";
import type { Dispatcher } from "undici";
import { createHttpsAgent, systemClock, type Clock } from "../../../lib/index.js";
import {
  MDE2_PATHS,
  MDE2_TOKEN_TYPES,
  ProtocolError,
  buildDiscoverRequest,
  buildGetPoliciesRequest,
  buildRequestSecurityToken,
  enrollmentContextItems,
  formatHresult,
  newMessageId,
  parseDiscoverResponse,
  parseGetPoliciesResponse,
  parseRequestSecurityTokenResponse,
  type AuthPolicy,
  type SecurityToken,
} from "../../../protocol/index.js";
import { receiveEnrollment, type ReceivedEnrollment } from "./received-enrollment.js";
import { postSoap, probeDiscovery, type SoapExchange } from "./soap-transport.js";
import { buildWindowsCsr, generateRsaKeyPair, type CsrHash, type KeySource } from "./windows-csr.js";

/** The credential the device enrolls with. */
export type EnrollmentCredentials =
  /** OnPremise: the user's UPN and password as a WS-Security UsernameToken. */
  | { readonly kind: "usernameToken"; readonly upn: string; readonly password: string }
  /** A joined (Autopilot) device's token, a JWT BinarySecurityToken. */
  | { readonly kind: "deviceToken"; readonly jwt: string }
  /** Federated: the token the service's authentication page gave; with `upn`, discovery runs first. */
  | { readonly kind: "federated"; readonly token: string; readonly upn?: string }
  /**
   * Certificate: a certificate the device already holds (its device identity certificate, with a key node can use)
   * presented in the TLS handshake; the SOAP messages carry no token. With `upn`, discovery runs first.
   */
  | { readonly kind: "certificate"; readonly certificate: string; readonly privateKey: KeyObject; readonly upn?: string };

/** What the device tells the enrollment server about itself (the AdditionalContext items). */
export interface EnrollingDevice {
  /** Windows' DeviceID: 32 hex digits. */
  readonly deviceId: string;
  /** 64 hex digits. */
  readonly hwDevId: string;
  readonly deviceName: string;
  /** One per network adapter, `00-11-22-33-44-55`. */
  readonly macAddresses: readonly string[];
  /** The Windows product type as a number (48 Professional, 72 Enterprise Evaluation, 4 Enterprise). */
  readonly osEdition: number | string;
  /** `10.0.19043.2364`. */
  readonly osVersion: string;
  /** `en-US`. */
  readonly locale: string;
  /** Default: the OS version, as Windows 10 sends it. */
  readonly applicationVersion?: string;
  /** False during OOBE (Autopilot, the default), true from Settings. */
  readonly notInOobe?: boolean;
  /** The user started enrollment from Settings; default: as `notInOobe`. */
  readonly uxInitiated?: boolean;
  readonly targetedUserLoggedIn?: boolean;
  /** Default `4.0`, what a Windows 10 19043 client sent. */
  readonly requestVersion?: string;
}

/** Options of {@link enrollDevice}. */
export interface EnrollDeviceOptions {
  /** The enrollment server's base URL (https); discovery is on its root. */
  readonly serverUrl: string;
  /** PEM trust anchors of the server's TLS (the home's local TLS CA); ignored with `dispatcher`. */
  readonly ca?: string;
  /** An undici dispatcher to reuse (fleets share one); otherwise one is made and closed here. */
  readonly dispatcher?: Dispatcher;
  readonly credentials: EnrollmentCredentials;
  readonly device: EnrollingDevice;
  /** `Full` for MDM enrollment, `Device` for device-only enrollment. */
  readonly enrollmentType: "Full" | "Device";
  /** Where the request's RSA key pair comes from; default a fresh RSA-2048 pair. */
  readonly keySource?: KeySource;
  /** The device clock the client certificate's validity is checked against. */
  readonly clock?: Clock;
  /** Deadline of each request, ms; default 30 s. */
  readonly timeoutMs?: number;
  /** When discovery is skipped: the policy and enrollment URLs; default the standard paths on the server's root. */
  readonly enrollmentUrls?: { readonly policyUrl?: string; readonly enrollmentUrl: string };
}

/** An enrolled device: what it installs, and the private key of its client certificate (never printed). */
export interface EnrollmentSuccess extends ReceivedEnrollment {
  readonly ok: true;
  readonly code: "OK";
  readonly hresult: string;
  readonly privateKey: KeyObject;
}

/** A refused or failed enrollment: the registry code (the server's fault, or the device's own finding). */
export interface EnrollmentFailure {
  readonly ok: false;
  readonly code: string;
  /** `0x…`, the HRESULT Windows shows. */
  readonly hresult: string;
  readonly message: string;
  /** True when the same enrollment may succeed later. */
  readonly retryable: boolean;
}

/** The outcome of {@link enrollDevice}. */
export type EnrollmentOutcome = EnrollmentSuccess | EnrollmentFailure;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEVICE_TYPE = "CIMClient_Windows";
const DEFAULT_REQUEST_VERSION = "4.0";
const HEX32 = /^[0-9A-Fa-f]{32}$/;
const HEX64 = /^[0-9A-Fa-f]{64}$/;
const MAC = /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$/;

/** Hash algorithm OIDs a policy may name (MS-XCEP hashAlgorithmOIDReference): digests and RSA signature OIDs. */
const POLICY_HASHES: ReadonlyMap<string, CsrHash> = new Map([
  ["1.3.14.3.2.26", "sha1"],
  ["1.3.14.3.2.29", "sha1"],
  ["1.2.840.113549.1.1.5", "sha1"],
  ["2.16.840.1.101.3.4.2.1", "sha256"],
  ["1.2.840.113549.1.1.11", "sha256"],
]);

function invalidData(detail: string): ProtocolError {
  return new ProtocolError("MDE2_INVALID_ENROLLMENT_DATA", detail);
}

function checkDevice(device: EnrollingDevice): void {
  if (!HEX32.test(device.deviceId)) throw invalidData("DeviceID must be 32 hex digits");
  if (!HEX64.test(device.hwDevId)) throw invalidData("HWDevID must be 64 hex digits");
  const badMac = device.macAddresses.find((mac) => !MAC.test(mac));
  if (badMac !== undefined) throw invalidData(`MAC ${JSON.stringify(badMac.slice(0, 40))} is not 00-11-22-33-44-55`);
}

function securityTokenOf(credentials: EnrollmentCredentials): SecurityToken | undefined {
  const base64 = (token: string): string => Buffer.from(token, "utf8").toString("base64");
  switch (credentials.kind) {
    case "certificate":
      return undefined;
    case "usernameToken":
      return { kind: "username", username: credentials.upn, password: credentials.password };
    case "deviceToken":
      return { kind: "binary", valueType: MDE2_TOKEN_TYPES.jwt, value: base64(credentials.jwt) };
    case "federated":
      return { kind: "binary", valueType: MDE2_TOKEN_TYPES.userToken, value: base64(credentials.token) };
  }
}

/** The policy discovery is asked for and the address it is asked with; undefined when discovery is skipped. */
function discoveryOf(credentials: EnrollmentCredentials): { policy: AuthPolicy; emailAddress: string } | undefined {
  if (credentials.kind === "usernameToken") return { policy: "OnPremise", emailAddress: credentials.upn };
  if (credentials.kind === "federated" && credentials.upn !== undefined) return { policy: "Federated", emailAddress: credentials.upn };
  if (credentials.kind === "certificate" && credentials.upn !== undefined) return { policy: "Certificate", emailAddress: credentials.upn };
  return undefined;
}

/** Parses an answer with `parse`, checking it relates to `messageId`; a malformed answer is MDE2_RESPONSE_INVALID. */
function readAnswer<T extends { relatesTo: string }>(body: Buffer, parse: (input: Uint8Array) => T, messageId: string, what: string): T {
  let answer: T;
  try {
    answer = parse(body);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError("MDE2_RESPONSE_INVALID", `${what}: ${error.message}`, { cause: error });
    throw error;
  }
  if (answer.relatesTo !== messageId) throw new ProtocolError("MDE2_RESPONSE_INVALID", `${what} relates to another request`);
  return answer;
}

function httpsUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new ProtocolError("MDE2_RESPONSE_INVALID", `${what} is not a URL`, { cause: error });
  }
  // Windows enrolls over TLS only (MENROLL_E_INSECUREREDIRECT otherwise).
  if (url.protocol !== "https:") throw new ProtocolError("MDE2_RESPONSE_INVALID", `${what} is not an https URL`);
  return url.href;
}

/** Where policy and enrollment are: from discovery, or (joined devices) the configured or standard URLs. */
async function locateServices(options: EnrollDeviceOptions, exchange: SoapExchange): Promise<{ policyUrl: string | undefined; enrollmentUrl: string }> {
  const discovery = discoveryOf(options.credentials);
  if (discovery === undefined) {
    return {
      policyUrl: options.enrollmentUrls === undefined ? new URL(MDE2_PATHS.policy, options.serverUrl).href : options.enrollmentUrls.policyUrl,
      enrollmentUrl: options.enrollmentUrls?.enrollmentUrl ?? new URL(MDE2_PATHS.enrollment, options.serverUrl).href,
    };
  }
  const discoveryUrl = new URL(MDE2_PATHS.discovery, options.serverUrl).href;
  await probeDiscovery(discoveryUrl, exchange);
  const { device } = options;
  const messageId = newMessageId();
  const request = buildDiscoverRequest({
    messageId,
    to: discoveryUrl,
    emailAddress: discovery.emailAddress,
    requestVersion: device.requestVersion ?? DEFAULT_REQUEST_VERSION,
    deviceType: DEVICE_TYPE,
    applicationVersion: device.applicationVersion ?? device.osVersion,
    osEdition: String(device.osEdition),
    authPolicies: [discovery.policy],
  });
  const answer = readAnswer(await postSoap(discoveryUrl, request, exchange), parseDiscoverResponse, messageId, "DiscoverResponse");
  if (answer.authPolicy !== discovery.policy) {
    throw new ProtocolError("MDE2_RESPONSE_INVALID", `discovery chose ${answer.authPolicy}, the device asked for ${discovery.policy}`);
  }
  return {
    policyUrl: answer.enrollmentPolicyServiceUrl === undefined ? undefined : httpsUrl(answer.enrollmentPolicyServiceUrl, "EnrollmentPolicyServiceUrl"),
    enrollmentUrl: httpsUrl(answer.enrollmentServiceUrl, "EnrollmentServiceUrl"),
  };
}

/** The policy's demands on the request: Windows' defaults (2048-bit key, SHA-1) when there is no policy service. */
async function fetchPolicy(policyUrl: string | undefined, security: SecurityToken | undefined, exchange: SoapExchange): Promise<{ minimalKeyLength: number; hash: CsrHash }> {
  if (policyUrl === undefined) return { minimalKeyLength: 2048, hash: "sha1" };
  const messageId = newMessageId();
  const request = buildGetPoliciesRequest({ messageId, to: policyUrl, security });
  const { policy } = readAnswer(await postSoap(policyUrl, request, exchange), parseGetPoliciesResponse, messageId, "GetPoliciesResponse");
  const hash = policy.hashAlgorithmOid === undefined ? undefined : POLICY_HASHES.get(policy.hashAlgorithmOid);
  return { minimalKeyLength: policy.minimalKeyLength, hash: hash ?? "sha1" };
}

async function enroll(options: EnrollDeviceOptions, exchange: SoapExchange): Promise<EnrollmentSuccess> {
  const { device } = options;
  checkDevice(device);
  const security = securityTokenOf(options.credentials);
  const { policyUrl, enrollmentUrl } = await locateServices(options, exchange);
  const policy = await fetchPolicy(policyUrl, security, exchange);

  const keyPair = await (options.keySource ?? generateRsaKeyPair)();
  const keyBits = keyPair.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (keyPair.publicKey.asymmetricKeyType !== "rsa" || keyBits < policy.minimalKeyLength) {
    throw new ProtocolError("MDE2_CERTIFICATE_REQUEST", `the policy asks for an RSA key of ${policy.minimalKeyLength} bits at least`);
  }
  const csr = await buildWindowsCsr({ deviceId: device.deviceId, keyPair, hash: policy.hash });
  const notInOobe = device.notInOobe ?? false;
  const messageId = newMessageId();
  const request = buildRequestSecurityToken({
    messageId,
    to: enrollmentUrl,
    security,
    tokenType: MDE2_TOKEN_TYPES.deviceEnrollment,
    requestType: MDE2_TOKEN_TYPES.issue,
    requestValueType: MDE2_TOKEN_TYPES.pkcs10,
    certificateRequest: csr.der,
    context: enrollmentContextItems({
      uxInitiated: device.uxInitiated ?? notInOobe,
      hwDevId: device.hwDevId,
      locale: device.locale,
      targetedUserLoggedIn: device.targetedUserLoggedIn,
      osEdition: String(device.osEdition),
      deviceName: device.deviceName,
      macAddresses: device.macAddresses,
      deviceId: device.deviceId,
      enrollmentType: options.enrollmentType,
      deviceType: DEVICE_TYPE,
      osVersion: device.osVersion,
      applicationVersion: device.applicationVersion ?? device.osVersion,
      notInOobe,
      requestVersion: device.requestVersion ?? DEFAULT_REQUEST_VERSION,
    }),
  });
  const response = readAnswer(await postSoap(enrollmentUrl, request, exchange), parseRequestSecurityTokenResponse, messageId, "RequestSecurityTokenResponse");
  const received = receiveEnrollment(response.provisioningDocument, keyPair.publicKey, (options.clock ?? systemClock).now());
  return { ok: true, code: "OK", hresult: formatHresult(0), ...received, privateKey: keyPair.privateKey };
}

/** MENROLL_E_DEVICE_UNKNOWN_ERROR, for a code that carries no HRESULT of its own. */
const UNKNOWN_ERROR = 0x80180008;

function failureOf(error: ProtocolError): EnrollmentFailure {
  return {
    ok: false,
    code: error.code,
    hresult: formatHresult(error.hresult ?? UNKNOWN_ERROR),
    message: error.message,
    retryable: error.retryable,
  };
}

/**
 * Enrolls the device with the MDM enrollment server at `serverUrl`.
 * @returns the installed enrollment, or the failure: the server's SOAP fault as its MDE2_* code and MENROLL_E_*
 *   HRESULT, MDE2_SERVER_UNREACHABLE / MDE2_SERVER_CERTIFICATE_INVALID for transport failures,
 *   MDE2_RESPONSE_INVALID for an answer the device cannot use, MDE2_INVALID_ENROLLMENT_DATA for device data
 *   Windows would never send.
 * @throws TypeError for a `serverUrl` that is not a URL, RangeError for one that is not https.
 */
export async function enrollDevice(options: EnrollDeviceOptions): Promise<EnrollmentOutcome> {
  if (new URL(options.serverUrl).protocol !== "https:") throw new RangeError("the enrollment server's URL must be https");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clientCertificate =
    options.credentials.kind === "certificate"
      ? { cert: options.credentials.certificate, key: options.credentials.privateKey.export({ type: "pkcs8", format: "pem" }).toString() }
      : {};
  // A client certificate needs connections of its own: a shared pool's TLS sessions carry no certificate.
  const dispatcher =
    options.dispatcher !== undefined && options.credentials.kind !== "certificate"
      ? options.dispatcher
      : createHttpsAgent({ ...(options.ca === undefined ? {} : { ca: options.ca }), timeoutMs, ...clientCertificate });
  try {
    return await enroll(options, { dispatcher, timeoutMs });
  } catch (error) {
    if (error instanceof ProtocolError) return failureOf(error);
    throw error;
  } finally {
    if (dispatcher !== options.dispatcher) await dispatcher.close();
  }
}
