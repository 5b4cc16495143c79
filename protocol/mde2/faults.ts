/**
 * SOAP 1.2 faults of MS-MDE2 §2.2.10: the subcode (s:MessageFormat, a:InvalidSecurity, …) names the failure, and
 * the finer errors (DeviceCapReached, DeviceNotSupported, …) travel as the ErrorType of a
 * DeviceEnrollmentServiceError detail. Each maps to one registry code and its MENROLL_E_* HRESULT.
 */
import { childElement, xmlNode, type XmlElement } from "../../lib/index.js";
import { ERRORS, ProtocolError, type ErrorCode } from "../errors.js";
import { NS } from "./namespaces.js";
import { buildSoapEnvelope, malformed, optionalText, parseSoapResponse } from "./soap.js";

/** Fault subcodes of MS-MDE2 §2.2.10 (`s:` subcodes in the SOAP envelope namespace, `a:` in WS-Addressing's). */
export type FaultSubcode =
  | "MessageFormat"
  | "Authentication"
  | "Authorization"
  | "CertificateRequest"
  | "EnrollmentServer"
  | "InternalServiceFault"
  | "InvalidSecurity";

/** ErrorType values of the DeviceEnrollmentServiceError detail. */
export type FaultErrorType =
  | "DeviceCapReached"
  | "DeviceNotSupported"
  | "NotSupported"
  | "NotEligibleToRenew"
  | "InMaintenance"
  | "UserLicense"
  | "InvalidEnrollmentData";

interface FaultShape {
  readonly subcode: FaultSubcode;
  readonly errorType?: FaultErrorType;
}

/** How each MS-MDE2 registry code is sent. */
const FAULT_SHAPES = {
  MDE2_MESSAGE_FORMAT: { subcode: "MessageFormat" },
  MDE2_AUTHENTICATION: { subcode: "Authentication" },
  MDE2_AUTHORIZATION: { subcode: "Authorization" },
  MDE2_CERTIFICATE_REQUEST: { subcode: "CertificateRequest" },
  MDE2_ENROLLMENT_SERVER: { subcode: "EnrollmentServer" },
  MDE2_INTERNAL_SERVICE_FAULT: { subcode: "InternalServiceFault" },
  MDE2_INVALID_SECURITY: { subcode: "InvalidSecurity" },
  MDE2_DEVICE_CAP_REACHED: { subcode: "Authorization", errorType: "DeviceCapReached" },
  MDE2_DEVICE_NOT_SUPPORTED: { subcode: "Authorization", errorType: "DeviceNotSupported" },
  MDE2_NOT_SUPPORTED: { subcode: "Authorization", errorType: "NotSupported" },
  MDE2_NOT_ELIGIBLE_TO_RENEW: { subcode: "Authorization", errorType: "NotEligibleToRenew" },
  MDE2_IN_MAINTENANCE: { subcode: "EnrollmentServer", errorType: "InMaintenance" },
  MDE2_USER_LICENSE: { subcode: "Authorization", errorType: "UserLicense" },
  MDE2_INVALID_ENROLLMENT_DATA: { subcode: "MessageFormat", errorType: "InvalidEnrollmentData" },
} as const satisfies Partial<Record<ErrorCode, FaultShape>>;

/** A registry code that has an MS-MDE2 fault. */
export type Mde2FaultCode = keyof typeof FAULT_SHAPES;

/** Subcodes in the WS-Addressing namespace (the others are in the SOAP envelope namespace). */
const ADDRESSING_SUBCODES: ReadonlySet<FaultSubcode> = new Set(["InternalServiceFault", "InvalidSecurity"]);

/** True when `code` is sent as an MS-MDE2 fault. */
export function isMde2FaultCode(code: string): code is Mde2FaultCode {
  return Object.hasOwn(FAULT_SHAPES, code);
}

/** A fault as sent or received. */
export interface Mde2Fault {
  readonly code: Mde2FaultCode;
  readonly subcode: FaultSubcode;
  readonly errorType: FaultErrorType | undefined;
  /** The s:Reason text. */
  readonly reason: string;
  readonly hresult: number;
  /** The request's MessageID, when known. */
  readonly relatesTo: string | undefined;
}

/** Sender faults are the requester's fault (SOAP 1.2 Part 1 §5.4.6); MS-MDE2's example sends the rest as Receiver. */
function isSenderFault(code: Mde2FaultCode): boolean {
  return ERRORS[code].status < 500;
}

/** The fault of a registry code with the reason text sent (default: the registry message). */
export function faultOf(code: Mde2FaultCode, reason: string = ERRORS[code].message, relatesTo?: string): Mde2Fault {
  const shape: FaultShape = FAULT_SHAPES[code];
  return { code, subcode: shape.subcode, errorType: shape.errorType, reason, hresult: ERRORS[code].hresult!, relatesTo };
}

/**
 * The fault envelope (MS-MDE2 §2.2.10): Code Sender/Receiver with the MS-MDE2 subcode, the reason in en-US, and
 * for the finer errors a DeviceEnrollmentServiceError detail with ErrorType, Message and TraceId. `action` is the
 * response action of the endpoint that failed.
 */
export function buildFault(fault: Mde2Fault, action: string, traceId: string): string {
  const subcodePrefix = ADDRESSING_SUBCODES.has(fault.subcode) ? "a" : "s";
  const detail =
    fault.errorType === undefined
      ? undefined
      : xmlNode(
          "s:Detail",
          {},
          xmlNode(
            "DeviceEnrollmentServiceError",
            { xmlns: NS.enrollment },
            xmlNode("ErrorType", {}, fault.errorType),
            xmlNode("Message", {}, fault.reason),
            xmlNode("TraceId", {}, traceId),
          ),
        );
  const body = xmlNode(
    "s:Fault",
    {},
    xmlNode(
      "s:Code",
      {},
      xmlNode("s:Value", {}, isSenderFault(fault.code) ? "s:Sender" : "s:Receiver"),
      xmlNode("s:Subcode", {}, xmlNode("s:Value", {}, `${subcodePrefix}:${fault.subcode}`)),
    ),
    xmlNode("s:Reason", {}, xmlNode("s:Text", { "xml:lang": "en-US" }, fault.reason)),
    detail,
  );
  const activity = xmlNode("ActivityId", { CorrelationId: traceId, xmlns: NS.diagnostics }, traceId);
  return buildSoapEnvelope({ action, ...(fault.relatesTo === undefined ? {} : { relatesTo: fault.relatesTo }) }, body, [activity]);
}

function localPart(qname: string): string {
  const colon = qname.indexOf(":");
  return (colon === -1 ? qname : qname.slice(colon + 1)).trim();
}

/** The fault in a response body element, or undefined when the body is not an s:Fault. */
export function readFault(body: XmlElement, relatesTo: string | undefined): Mde2Fault | undefined {
  if (body.localName !== "Fault" || body.namespace !== NS.soap) return undefined;
  const code = childElement(body, NS.soap, "Code");
  const subcodeValue = code === undefined ? undefined : childElement(code, NS.soap, "Subcode");
  const subcodeText = subcodeValue === undefined ? undefined : optionalText(subcodeValue, NS.soap, "Value");
  if (subcodeText === undefined) throw malformed("Fault has no Subcode");
  const subcode = localPart(subcodeText).toLowerCase();
  const reason = childElement(body, NS.soap, "Reason");
  const detail = childElement(body, NS.soap, "Detail");
  const serviceError = detail === undefined ? undefined : childElement(detail, NS.enrollment, "DeviceEnrollmentServiceError");
  const errorType = serviceError === undefined ? undefined : optionalText(serviceError, NS.enrollment, "ErrorType")?.toLowerCase();
  const entries = Object.entries(FAULT_SHAPES) as [Mde2FaultCode, FaultShape][];
  const match =
    entries.find(([, shape]) => shape.errorType !== undefined && shape.errorType.toLowerCase() === errorType) ??
    entries.find(([, shape]) => shape.errorType === undefined && shape.subcode.toLowerCase() === subcode);
  if (match === undefined) throw malformed(`unknown fault subcode ${subcodeText}`);
  const [faultCode, shape] = match;
  return {
    code: faultCode,
    subcode: shape.subcode,
    errorType: shape.errorType,
    reason: (reason === undefined ? undefined : optionalText(reason, NS.soap, "Text")) ?? ERRORS[faultCode].message,
    hresult: ERRORS[faultCode].hresult!,
    relatesTo,
  };
}

/** Parses a fault envelope; MDE2_MESSAGE_FORMAT when it holds no fault. */
export function parseFault(input: string | Uint8Array): Mde2Fault {
  const response = parseSoapResponse(input);
  const fault = readFault(response.body, response.relatesTo);
  if (fault === undefined) throw malformed("response is not a fault");
  return fault;
}

/** A received fault as the registry error a device reports. */
export function faultError(fault: Mde2Fault): ProtocolError {
  const standard = ERRORS[fault.code].message;
  if (fault.reason === standard) return new ProtocolError(fault.code);
  return new ProtocolError(fault.code, fault.reason.startsWith(`${standard}: `) ? fault.reason.slice(standard.length + 2) : fault.reason);
}
