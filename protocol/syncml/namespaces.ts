/**
 * Constants of OMA-DM SyncML 1.2 as Windows speaks it (MS-MDM §2.2): the namespaces, media type, the alert and
 * status codes used by the management channel, and the bounds every parse enforces.
 */

/** Namespace of the SyncML representation protocol (the root element and every command). */
export const SYNCML_NAMESPACE = "SYNCML:SYNCML1.2";
/** Namespace of the meta-information elements (Format, Type, MaxMsgSize, …) inside Meta. */
export const METINF_NAMESPACE = "syncml:metinf";
/** Content type of a SyncML package over HTTP (MS-MDM §2.1). */
export const SYNCML_MEDIA_TYPE = "application/vnd.syncml.dm+xml";
/** The only VerDTD and VerProto Windows speaks. */
export const SYNCML_VERSION = { verDTD: "1.2", verProto: "DM/1.2" } as const;

/** Bounds of one SyncML message. */
export const SYNCML_LIMITS = Object.freeze({
  /** Largest message in bytes (Windows advertises MaxMsgSize 65536 by default; large objects are out of scope). */
  maxBytes: 512 * 1024,
  /** Most commands in one SyncBody, Atomic members counted. */
  maxCommands: 1_000,
  /** Most Items in one command. */
  maxItems: 500,
  /** Deepest element nesting. */
  maxDepth: 16,
  /** Most elements in the document. */
  maxElements: 20_000,
  /** Longest LocURI, in characters. */
  maxLocUriLength: 2_048,
});

/** Alert codes (OMA-DM 1.2 §6.6.4; MS-MDM §2.2.7.2). */
export const SYNCML_ALERT = Object.freeze({
  SERVER_INITIATED: "1200",
  CLIENT_INITIATED: "1201",
  NEXT_MESSAGE: "1222",
  SESSION_ABORT: "1223",
  CLIENT_EVENT: "1224",
  NO_END_OF_DATA: "1225",
  GENERIC: "1226",
});

/** Meta Type values of the 1224 client event alert (MS-MDM §3.2.5.1) and the 1226 unenroll alert. */
export const SYNCML_ALERT_TYPES = Object.freeze({
  loginStatus: "com.microsoft/MDM/LoginStatus",
  aadUserToken: "com.microsoft/MDM/AADUserToken",
  devicePrepSync: "com.microsoft/MDM/DevicePrepSync",
  unenrollUserRequest: "com.microsoft:mdm.unenrollment.userrequest",
});

/** SyncML status codes the management channel uses (OMA-DM 1.2 representation protocol, Appendix). */
export const SYNCML_STATUS = Object.freeze({
  OK: 200,
  ACCEPTED: 202,
  AUTHENTICATION_ACCEPTED: 212,
  OPERATION_CANCELLED: 214,
  NOT_EXECUTED: 215,
  ATOMIC_ROLLBACK_OK: 216,
  BAD_REQUEST: 400,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_ALLOWED: 405,
  OPTIONAL_FEATURE_NOT_SUPPORTED: 406,
  MISSING_CREDENTIALS: 407,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ALREADY_EXISTS: 418,
  PERMISSION_DENIED: 425,
  COMMAND_FAILED: 500,
  ATOMIC_FAILED: 507,
  ATOMIC_ROLLBACK_FAILED: 516,
});

/** True for a 2xx status (the command succeeded or was accepted). */
export function isSuccessStatus(code: number): boolean {
  return code >= 200 && code < 300;
}
