/**
 * The registry of every error a client of our services can see (fastify's createError model): a stable
 * code, the HTTP status the service answers with, whether a device should retry, and the Windows
 * HRESULT a device shows for it. Services throw {@link ProtocolError}; devices match on `code`, never
 * on message text.
 */

/** One registered error. */
export interface ErrorDefinition {
  readonly status: number;
  /** Windows HRESULT a device reports when this error ends its attempt (absent: none applies). */
  readonly hresult?: number;
  /** True when the same request may succeed later (the device retries within its budget). */
  readonly retryable: boolean;
  readonly message: string;
}

// HRESULTs Windows shows (reference: memdocs autopilot/known-issues.md; HTTP_E_STATUS_* from winerror.h).
/** HTTP_E_STATUS_BAD_REQUEST: the AIK service refused the request ("No valid TPM EK/Platform Certificate…"). */
export const HRESULT_BAD_REQUEST = 0x80190190;
/** ERROR_TIMEOUT as HRESULT: no TPM 2.0, a virtual TPM, or the service never answered. */
export const HRESULT_TIMEOUT = 0x800705b4;
/** E_AUTOPILOT_CLIENT_TPM_MAX_ATTESTATION_RETRY_EXCEEDED. */
export const HRESULT_ATTESTATION_RETRY_EXCEEDED = 0x81039001;
/** Known TPM vulnerabilities detected (ADV170012 and friends). */
export const HRESULT_TPM_VULNERABLE = 0x81039024;
/** HTTP_E_STATUS_DENIED (401). */
export const HRESULT_DENIED = 0x80190191;
/** HTTP_E_STATUS_NOT_FOUND (404). */
export const HRESULT_NOT_FOUND = 0x80190194;
/** HTTP_E_STATUS_SERVER_ERROR (500). */
export const HRESULT_SERVER_ERROR = 0x801901f4;
/** HTTP_E_STATUS_SERVICE_UNAVAIL (503). */
export const HRESULT_SERVICE_UNAVAILABLE = 0x801901f7;

function define(
  status: number,
  message: string,
  options: { hresult?: number; retryable?: boolean } = {},
): ErrorDefinition {
  return Object.freeze({ status, message, retryable: options.retryable ?? false, ...(options.hresult === undefined ? {} : { hresult: options.hresult }) });
}

const rejectedEvidence = (message: string): ErrorDefinition => define(400, message, { hresult: HRESULT_BAD_REQUEST });

/** Every error code of the project's HTTP services and device clients. */
export const ERRORS = Object.freeze({
  // Request shape
  MALFORMED_CBOR: rejectedEvidence("request body is not well-formed CBOR"),
  MALFORMED_REQUEST: rejectedEvidence("request does not match the message schema"),
  MALFORMED_TPM_STRUCTURE: rejectedEvidence("a TPM structure in the request is truncated or malformed"),
  UNSUPPORTED_MEDIA_TYPE: define(415, "unsupported content type", { hresult: 0x80190197 }),
  BODY_TOO_LARGE: define(413, "request body too large", { hresult: 0x801901a5 }),
  UNSUPPORTED_VERSION: rejectedEvidence("unsupported protocol version"),
  NOT_FOUND: define(404, "no such resource", { hresult: HRESULT_NOT_FOUND }),
  UNAUTHORIZED: define(401, "missing or invalid admin token", { hresult: HRESULT_DENIED }),
  INTERNAL: define(500, "internal error", { hresult: HRESULT_SERVER_ERROR, retryable: true }),
  OVERLOADED: define(503, "service overloaded, retry later", { hresult: HRESULT_SERVICE_UNAVAILABLE, retryable: true }),

  // EK certificate (HTTP 400 "No valid TPM EK/Platform Certificate provided in the TPM identity request message")
  EK_CERT_MISSING: rejectedEvidence("No valid TPM EK/Platform Certificate provided in the TPM identity request message"),
  EK_CERT_MALFORMED: rejectedEvidence("EK certificate is not a parsable X.509 certificate"),
  EK_CERT_UNTRUSTED: rejectedEvidence("EK certificate does not chain to a trusted TPM vendor root"),
  EK_CERT_EXPIRED: rejectedEvidence("EK certificate or a CA above it has expired"),
  EK_CERT_NOT_YET_VALID: rejectedEvidence("EK certificate or a CA above it is not yet valid"),
  EK_CERT_REVOKED: rejectedEvidence("EK certificate or a CA above it is revoked"),
  EK_CERT_WRONG_EKU: rejectedEvidence("EK certificate lacks the tcg-kp-EKCertificate EKU (2.23.133.8.1)"),
  EK_CERT_MANUFACTURER_MISMATCH: rejectedEvidence("EK certificate manufacturer differs from the TPM's manufacturer"),
  EK_KEY_MISMATCH: rejectedEvidence("EK public key differs from the EK certificate's key"),
  EK_CHAIN_TOO_LONG: rejectedEvidence("EK certificate chain is too deep or has too many certificates"),
  VENDOR_ENDPOINT_UNAVAILABLE: define(503, "the TPM vendor's EK certificate endpoint did not answer", {
    hresult: HRESULT_SERVICE_UNAVAILABLE,
    retryable: true,
  }),

  // The TPM itself
  TPM_VULNERABLE_KEY: define(403, "TPM key has the ROCA fingerprint (ADV170012)", { hresult: HRESULT_TPM_VULNERABLE }),
  TPM_FIRMWARE_BLOCKED: define(403, "TPM firmware version is on the vulnerable-firmware block list", {
    hresult: HRESULT_TPM_VULNERABLE,
  }),
  TPM_NOT_SUPPORTED: define(403, "virtual machines aren't supported: software, virtual or TPM 1.2 parts are refused", {
    hresult: HRESULT_TIMEOUT,
  }),
  CLOCK_SKEW: rejectedEvidence("device clock differs from the service clock beyond the allowed skew"),

  // Attestation key and its creation evidence
  AK_ATTRIBUTES_INVALID: rejectedEvidence(
    "AK must be fixedTPM, fixedParent, sensitiveDataOrigin, restricted, sign and not decrypt",
  ),
  AK_CREATION_INVALID: rejectedEvidence("AK creation evidence (CertifyCreation) does not verify or does not name the AK"),

  // Challenge / proof
  SESSION_UNKNOWN: rejectedEvidence("unknown attestation session"),
  NONCE_EXPIRED: define(400, "attestation session expired; start again", { hresult: HRESULT_BAD_REQUEST, retryable: true }),
  NONCE_REPLAYED: rejectedEvidence("attestation session already used"),
  CREDENTIAL_MISMATCH: rejectedEvidence("activated secret does not match the challenge"),
  QUOTE_SIGNATURE_INVALID: rejectedEvidence("quote signature does not verify with the AK"),
  QUOTE_NONCE_MISMATCH: rejectedEvidence("quote does not carry the session nonce"),
  PCR_DIGEST_MISMATCH: rejectedEvidence("reported PCR values do not match the quoted PCR digest"),
  PCR_POLICY_VIOLATION: rejectedEvidence("PCR values violate the attestation policy"),
  AK_ROLLBACK: rejectedEvidence("TPM clock or counters went backwards since this AK's last attestation"),

  // Autopilot device CSV (memdocs autopilot/add-devices.md); reported per row by an import
  CSV_HEADER_INVALID: define(400, "the CSV header is not the Autopilot header"),
  CSV_TOO_MANY_ROWS: define(400, "the CSV holds more than 500 devices"),
  CSV_NOT_ANSI: define(400, "the CSV is not ANSI/ASCII text"),
  CSV_ROW_INVALID: define(400, "the CSV row is malformed"),
  CSV_HASH_INVALID: define(400, "the CSV row's hardware hash is missing or not base64"),
  CSV_DUPLICATE_DEVICE: define(409, "the device appears twice in the CSV"),

  // Directory, registration and Autopilot profiles (deployment service)
  MEMBERSHIP_RULE_INVALID: define(400, "the dynamic membership rule does not parse"),
  USER_INVALID: define(400, "the user principal name or password is not acceptable"),
  USER_EXISTS: define(409, "a user with this user principal name exists"),
  USER_DOMAIN_UNKNOWN: define(400, "the user's domain is not a domain of the tenant"),
  GROUP_EXISTS: define(409, "a group with this name exists"),
  DEVICE_ALREADY_REGISTERED: define(409, "a device with this hardware hash or serial number is already registered"),
  PARTNER_CONSENT_REQUIRED: define(403, "the tenant has not granted this partner consent to register its devices"),
  PROFILE_INVALID: define(400, "the deployment profile's settings are not valid"),
  PROFILE_EXISTS: define(409, "a deployment profile with this name exists"),
  DEVICE_NOT_REGISTERED: define(404, "the device is not registered with Windows Autopilot"),
  DEVICE_PROFILE_NOT_ASSIGNED: define(404, "the device is registered but no deployment profile is assigned to it"),
  AUTOPILOT_PROFILE_MALFORMED: define(400, "the Autopilot profile (AutopilotConfigurationFile) is malformed"),

  // User sign-in (the Entra token endpoint stand-in) and the Federated authentication page. Entra answers a wrong
  // user name or password with AADSTS50126; Windows shows the sign-in page's message, no HRESULT is documented.
  SIGN_IN_INVALID_CREDENTIALS: define(401, "AADSTS50126: the user name or password is incorrect"),
  FEDERATED_APPRU_INVALID: define(400, "the authentication page's return address (appru) is not an ms-app:// URI"),

  // Autopilot hardware hash: the "OA" record list and its "CS" checksum (reference enrollment §3.1)
  HARDWARE_HASH_MALFORMED: define(400, "the hardware hash is not a well-formed OA record list"),
  HARDWARE_HASH_CHECKSUM_MISMATCH: define(400, "the hardware hash checksum (CS record) does not match its content"),
  HARDWARE_HASH_TOO_LARGE: define(400, "the hardware hash is larger than 4096 bytes"),

  // Device join (device registration). HRESULTs from Microsoft's "Troubleshoot hybrid join" and Autopilot
  // troubleshooting pages: DSREG_E_DIRECTORY_FAILURE 0x801C03F2 ("The device object by the given id is not found"),
  // DSREG_E_DEVICE_AUTHENTICATION_ERROR 0x801C0002, DSREG_AUTOJOIN_ADCONFIG_READ_FAILED 0x801C001D, and 0x801C03EA
  // "TPM attestation failed, causing a failure to join Microsoft Entra ID with a device token" (autopilot/known-issues.md).
  JOIN_DEVICE_NOT_FOUND: define(400, "the device object by the given id is not found", { hresult: 0x801c03f2 }),
  JOIN_AUTHENTICATION_FAILED: define(401, "the user name or password is incorrect", { hresult: 0x801c0002 }),
  JOIN_AIK_CERT_UNTRUSTED: define(400, "the AIK certificate does not chain to the TPM root CA through an AIK CA", { hresult: 0x801c03ea }),
  JOIN_ATTESTATION_INVALID: define(400, "the attestation token is not valid for this AIK", { hresult: 0x801c03ea }),
  JOIN_ATTESTATION_EXPIRED: define(400, "the attestation token has expired; attest again", { hresult: 0x801c03ea }),
  JOIN_ATTESTATION_REPLAYED: define(400, "the attestation token was already used for a join", { hresult: 0x801c03ea }),
  JOIN_DEVICE_KEY_NOT_CERTIFIED: define(400, "the device key is not certified by the AIK as a key bound to the TPM", { hresult: 0x801c03ea }),
  JOIN_HYBRID_NOT_CONFIGURED: define(400, "hybrid join is not configured: no on-premises domain", { hresult: 0x801c001d }),

  SERVICE_UNREACHABLE: define(0, "attestation service unreachable or timed out", { hresult: HRESULT_TIMEOUT }),
  RETRY_BUDGET_EXHAUSTED: define(0, "transient failures until the retry budget was spent", {
    hresult: HRESULT_ATTESTATION_RETRY_EXCEEDED,
  }),
  NO_TPM: define(0, "device has no TPM 2.0", { hresult: HRESULT_TIMEOUT }),
  MALFORMED_RESPONSE: define(0, "the service's answer is not well-formed", { hresult: HRESULT_BAD_REQUEST }),
  DEVICE_STEP_UNSUPPORTED: define(0, "the device cannot run this OOBE step (no client for it)"),
  DEVICE_STATE_INVALID: define(0, "the device's OOBE state file is unreadable or not in the expected format"),
  DEVICE_ALREADY_DEPLOYED: define(0, "the device already went through this part of OOBE"),
  PRE_PROVISIONING_NOT_ALLOWED: define(0, "the device's profile does not allow pre-provisioning"),
  USER_CREDENTIALS_REQUIRED: define(0, "the flow needs a user to sign in"),
  TPM_COMMAND_FAILED: define(0, "a TPM command failed", { hresult: HRESULT_ATTESTATION_RETRY_EXCEEDED }),
  AIK_CERT_INVALID: define(0, "the AIK certificate received does not match the AK or does not verify", {
    hresult: HRESULT_BAD_REQUEST,
  }),
  // memdocs autopilot troubleshooting: 0x80070774 in hybrid Autopilot "means that the domain controller can't be
  // found or successfully reached" (HRESULT of ERROR_DOMAIN_CONTROLLER_NOT_FOUND, 1908).
  HYBRID_DC_UNREACHABLE: define(0, "the domain controller named in the offline domain join blob cannot be reached", {
    hresult: 0x80070774,
  }),
  // E_INVALIDDATA, as dsreg reports an answer it cannot parse.
  HYBRID_ODJ_INVALID: define(0, "the offline domain join blob is malformed or refused by the domain controller", {
    hresult: 0x8007000d,
  }),
  JOIN_RESPONSE_INVALID: define(0, "the join answer is malformed or does not certify the device key", { hresult: 0x8007000d }),

  // MDM enrollment, MS-MDE2 §2.2.10 faults (SOAP 1.2: Sender faults answer 400, Receiver faults 500)
  MDE2_MESSAGE_FORMAT: define(400, "enrollment message is malformed", { hresult: 0x80180001 }),
  MDE2_AUTHENTICATION: define(500, "enrollment credentials were not recognised", { hresult: 0x80180002 }),
  MDE2_AUTHORIZATION: define(500, "not allowed to enroll", { hresult: 0x80180003 }),
  MDE2_CERTIFICATE_REQUEST: define(400, "certificate request refused", { hresult: 0x80180004 }),
  MDE2_ENROLLMENT_SERVER: define(500, "enrollment server failure", { hresult: 0x80180005, retryable: true }),
  MDE2_INTERNAL_SERVICE_FAULT: define(500, "unhandled enrollment service error", { hresult: 0x80180006, retryable: true }),
  MDE2_INVALID_SECURITY: define(400, "WS-Security header missing, unsupported or invalid", { hresult: 0x80180007 }),
  MDE2_DEVICE_CAP_REACHED: define(500, "user already enrolled too many devices", { hresult: 0x80180013 }),
  MDE2_DEVICE_NOT_SUPPORTED: define(500, "device not supported for enrollment", { hresult: 0x80180014 }),
  MDE2_NOT_SUPPORTED: define(500, "mobile device management is not supported", { hresult: 0x80180015 }),
  MDE2_NOT_ELIGIBLE_TO_RENEW: define(500, "device is not eligible to renew", { hresult: 0x80180016 }),
  MDE2_IN_MAINTENANCE: define(500, "enrollment service is in maintenance", { hresult: 0x80180017, retryable: true }),
  MDE2_USER_LICENSE: define(500, "user has no license to enroll", { hresult: 0x80180018 }),
  MDE2_INVALID_ENROLLMENT_DATA: define(500, "enrollment data is invalid", { hresult: 0x80180019 }),
  // MDM enrollment, the device's side: MENROLL_E_CONNECTIVITY, MENROLL_E_INVALIDSSLCERT and
  // MENROLL_E_DEVICE_MESSAGE_FORMAT_ERROR ("Invalid message from the MDM server") of mdmregistration.h.
  MDE2_SERVER_UNREACHABLE: define(0, "the enrollment server could not be reached or did not answer in time", { hresult: 0x80180010, retryable: true }),
  MDE2_SERVER_CERTIFICATE_INVALID: define(0, "the enrollment server's TLS certificate is not trusted", { hresult: 0x80180012 }),
  MDE2_RESPONSE_INVALID: define(0, "the enrollment server's answer is malformed or does not match the request", { hresult: 0x80180001 }),

  // MDM management, MS-MDM / OMA-DM SyncML 1.2 (the device answers these with HTTP 400 or ends its session)
  SYNCML_MALFORMED: define(400, "SyncML message is malformed"),
  SYNCML_TOO_LARGE: define(413, "SyncML message exceeds its size or count bounds"),
  SYNCML_VERSION_UNSUPPORTED: define(400, "SyncML message is not SYNCML:SYNCML1.2 with VerDTD 1.2 and VerProto DM/1.2"),
  SYNCML_SESSION_INVALID: define(400, "SyncML message breaks the session rules (SessionID, MsgID, header Status)"),
  SYNCML_SESSION_REJECTED: define(0, "the management server refused the session in its SyncHdr Status"),
  MDM_SETTINGS_INVALID: define(0, "the device's MDM settings store is unreadable or not in the expected format"),
  // MDM management server (HTTP_E_STATUS_FORBIDDEN for a client certificate the server does not accept)
  MDM_CLIENT_CERTIFICATE_REFUSED: define(403, "no valid, unrevoked MDM enrollment certificate was presented", { hresult: 0x80190193 }),
  MDM_SERVER_BUSY: define(429, "the management server has too many sessions in flight; retry after the time given", { retryable: true }),
  MDM_DEVICE_NOT_ENROLLED: define(404, "no MDM enrollment has this device or enrollment id"),
  MDM_COMMAND_INVALID: define(400, "the management command is malformed"),
  MDM_COMMAND_NOT_FOUND: define(404, "no management command has this id for this device"),
  MDM_TRANSPORT_FAILED: define(0, "the management server could not be reached or answered with an unexpected HTTP status", { retryable: true }),
  // What a managed device gets: the payload catalogue (policies, apps, scripts, edition upgrade) and its content
  PAYLOAD_INVALID: define(400, "the payload is malformed"),
  PAYLOAD_NOT_FOUND: define(404, "no payload has this id"),
  PAYLOAD_CONTENT_NOT_FOUND: define(404, "no payload content has this id"),
  PAYLOAD_MIXED_APP_TYPES: define(409, "a pre-provisioned device is assigned both Win32 and line-of-business (MSI) apps"),
  // Enrollment Status Page: its settings, and how a device's ESP ends when it does not succeed
  ESP_SETTINGS_INVALID: define(400, "the Enrollment Status Page settings are malformed"),
  ESP_SETTINGS_NOT_FOUND: define(404, "no Enrollment Status Page settings exist for this scope"),
  ESP_TIMED_OUT: define(0, "the Enrollment Status Page timed out before the server finished provisioning", { hresult: HRESULT_TIMEOUT }),
  ESP_APP_INSTALL_FAILED: define(0, "a required app failed to install during the Enrollment Status Page", { hresult: 0x80070643 }),
} satisfies Record<string, ErrorDefinition>);

/** A registered error code. */
export type ErrorCode = keyof typeof ERRORS;

/** The registry entry of a code, or undefined for a code this version does not know. */
export function errorDefinition(code: string): ErrorDefinition | undefined {
  return Object.hasOwn(ERRORS, code) ? (ERRORS as Record<string, ErrorDefinition>)[code] : undefined;
}

/** `0x81039001` form of an HRESULT (upper-case hex digits are not used: Windows logs print lower case). */
export function formatHresult(hresult: number): string {
  return "0x" + (hresult >>> 0).toString(16).padStart(8, "0");
}

/** An error with a registered code: what services throw and devices return. */
export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hresult: number | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, detail?: string, options?: ErrorOptions) {
    const definition = ERRORS[code];
    super(detail === undefined ? definition.message : `${definition.message}: ${detail}`, options);
    this.name = "ProtocolError";
    this.code = code;
    this.status = definition.status;
    this.hresult = definition.hresult;
    this.retryable = definition.retryable;
  }
}

/** The error body every service answers with (CBOR or JSON, by the request's media type). */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hresult?: string;
    readonly retryable: boolean;
  };
}

/** The wire body of an error. */
export function errorBody(error: ProtocolError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.hresult === undefined ? {} : { hresult: formatHresult(error.hresult) }),
    },
  };
}

/**
 * Reads an error body a service sent back. Unknown codes keep their code text but are not retried;
 * a body that is not an error body gives undefined.
 */
export function parseErrorBody(value: unknown): ErrorBody["error"] | undefined {
  if (typeof value !== "object" || value === null || !("error" in value)) return undefined;
  const error = value.error;
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message, hresult, retryable } = error as Record<string, unknown>;
  if (typeof code !== "string" || typeof message !== "string") return undefined;
  return {
    code,
    message,
    retryable: retryable === true,
    ...(typeof hresult === "string" ? { hresult } : {}),
  };
}
