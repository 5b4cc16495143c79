/**
 * Enrollment, MS-WSTEP RequestSecurityToken as MS-MDE2 §3.4 profiles it: the client sends a base64 PKCS#10 and its
 * AdditionalContext; the server answers with a RequestSecurityTokenResponseCollection whose token is the base64
 * wap-provisioningdoc (MS-MDE2 §3.4.4.1.1.2).
 */
import { attributeValue, childElement, childElements, xmlNode, type XmlElement } from "../../lib/index.js";
import { faultError, readFault } from "./faults.js";
import { ACTIONS, NS, TOKEN_TYPES } from "./namespaces.js";
import {
  buildSoapEnvelope,
  decodeBase64,
  expectElement,
  malformed,
  optionalText,
  parseSoapRequest,
  parseSoapResponse,
  requiredText,
  type SecurityToken,
} from "./soap.js";

/** One AdditionalContext item (names repeat: MAC comes once per network adapter). */
export interface ContextItem {
  readonly name: string;
  readonly value: string;
}

/** The AdditionalContext items Windows sends, by name (MS-MDE2 §3.4.4.1.1.1; real Windows 10 devices). */
export const CONTEXT_ITEMS = [
  "UXInitiated",
  "HWDevID",
  "Locale",
  "TargetedUserLoggedIn",
  "OSEdition",
  "DeviceName",
  "MAC",
  "DeviceID",
  "EnrollmentType",
  "DeviceType",
  "OSVersion",
  "ApplicationVersion",
  "NotInOobe",
  "RequestVersion",
] as const;

/** A RequestSecurityToken. */
export interface RequestSecurityToken {
  readonly messageId: string;
  readonly to?: string | undefined;
  readonly security: SecurityToken | undefined;
  readonly tokenType: string;
  readonly requestType: string;
  /** The certificate request's value type (PKCS#10, or PKCS#7 for renewals). */
  readonly requestValueType: string;
  /** The DER of the certificate request. */
  readonly certificateRequest: Uint8Array;
  readonly context: readonly ContextItem[];
}

/** A RequestSecurityTokenResponseCollection with its provisioning document. */
export interface RequestSecurityTokenResponse {
  readonly relatesTo: string;
  /** The wap-provisioningdoc XML. */
  readonly provisioningDocument: string;
  /** The WS-Security Timestamp of the response header (MS-MDE2 §4 example), when present. */
  readonly timestamp?: { readonly created: Date; readonly expires: Date } | undefined;
}

/** The value of the first context item named `name` (case-insensitive), if any. */
export function contextValue(context: readonly ContextItem[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  return context.find((item) => item.name.toLowerCase() === wanted)?.value;
}

/** Every value of the context items named `name` (MAC repeats). */
export function contextValues(context: readonly ContextItem[], name: string): string[] {
  const wanted = name.toLowerCase();
  return context.filter((item) => item.name.toLowerCase() === wanted).map((item) => item.value);
}

/** Serializes a RequestSecurityToken as Windows sends it. */
export function buildRequestSecurityToken(request: RequestSecurityToken): string {
  const body = xmlNode(
    "wst:RequestSecurityToken",
    { "xmlns:wst": NS.wst, "xmlns:wsse": NS.wsse, "xmlns:ac": NS.authorization },
    xmlNode("wst:TokenType", {}, request.tokenType),
    xmlNode("wst:RequestType", {}, request.requestType),
    xmlNode(
      "wsse:BinarySecurityToken",
      { ValueType: request.requestValueType, EncodingType: TOKEN_TYPES.base64Binary },
      Buffer.from(request.certificateRequest).toString("base64"),
    ),
    xmlNode(
      "ac:AdditionalContext",
      { xmlns: NS.authorization },
      ...request.context.map((item) => xmlNode("ac:ContextItem", { Name: item.name }, xmlNode("ac:Value", {}, item.value))),
    ),
  );
  return buildSoapEnvelope(
    {
      action: ACTIONS.requestSecurityToken,
      messageId: request.messageId,
      ...(request.to === undefined ? {} : { to: request.to }),
      ...(request.security === undefined ? {} : { security: request.security }),
    },
    body,
  );
}

/** Reads a RequestSecurityToken; MDE2_MESSAGE_FORMAT when it is not one (the CSR itself is not checked here). */
export function parseRequestSecurityToken(input: string | Uint8Array): RequestSecurityToken {
  const soap = parseSoapRequest(input, ACTIONS.requestSecurityToken);
  const rst = expectElement(soap.body, NS.wst, "RequestSecurityToken");
  const token = childElement(rst, NS.wsse, "BinarySecurityToken");
  if (token === undefined) throw malformed("RequestSecurityToken has no BinarySecurityToken");
  const requestValueType = attributeValue(token, "", "ValueType");
  if (requestValueType !== TOKEN_TYPES.pkcs10 && requestValueType !== TOKEN_TYPES.pkcs7) {
    throw malformed(`certificate request value type ${requestValueType ?? "(none)"} is not PKCS#10 or PKCS#7`);
  }
  const additional = childElement(rst, NS.authorization, "AdditionalContext");
  const context = (additional === undefined ? [] : childElements(additional, NS.authorization, "ContextItem")).map((item) => {
    const name = attributeValue(item, "", "Name");
    if (name === undefined || name === "") throw malformed("ContextItem without Name");
    return { name, value: optionalText(item, NS.authorization, "Value") ?? "" };
  });
  return {
    messageId: soap.messageId,
    to: soap.to,
    security: soap.security,
    tokenType: requiredText(rst, NS.wst, "TokenType"),
    requestType: requiredText(rst, NS.wst, "RequestType"),
    requestValueType,
    certificateRequest: decodeBase64(token.text, "the certificate request"),
    context,
  };
}

/** Serializes the RequestSecurityTokenResponseCollection carrying the provisioning document. */
export function buildRequestSecurityTokenResponse(response: RequestSecurityTokenResponse): string {
  const body = xmlNode(
    "RequestSecurityTokenResponseCollection",
    { xmlns: NS.wst },
    xmlNode(
      "RequestSecurityTokenResponse",
      {},
      xmlNode("TokenType", {}, TOKEN_TYPES.deviceEnrollment),
      xmlNode("DispositionMessage", { xmlns: NS.enrollment }),
      xmlNode(
        "RequestedSecurityToken",
        {},
        xmlNode(
          "BinarySecurityToken",
          { ValueType: TOKEN_TYPES.provisionDoc, EncodingType: TOKEN_TYPES.base64Binary, xmlns: NS.wsse },
          Buffer.from(response.provisioningDocument, "utf8").toString("base64"),
        ),
      ),
      xmlNode("RequestID", { xmlns: NS.enrollment }, "0"),
    ),
  );
  const timestamp =
    response.timestamp === undefined
      ? []
      : [
          xmlNode(
            "o:Security",
            { "xmlns:o": NS.wsse, "s:mustUnderstand": "1" },
            xmlNode(
              "u:Timestamp",
              { "u:Id": "_0" },
              xmlNode("u:Created", {}, response.timestamp.created.toISOString()),
              xmlNode("u:Expires", {}, response.timestamp.expires.toISOString()),
            ),
          ),
        ];
  return buildSoapEnvelope({ action: ACTIONS.requestSecurityTokenResponse, relatesTo: response.relatesTo }, body, timestamp);
}

function readTimestamp(header: XmlElement | undefined): RequestSecurityTokenResponse["timestamp"] {
  const security = header === undefined ? undefined : childElement(header, NS.wsse, "Security");
  const timestamp = security === undefined ? undefined : childElement(security, NS.wsu, "Timestamp");
  if (timestamp === undefined) return undefined;
  const created = new Date(requiredText(timestamp, NS.wsu, "Created"));
  const expires = new Date(requiredText(timestamp, NS.wsu, "Expires"));
  if (Number.isNaN(created.getTime()) || Number.isNaN(expires.getTime())) throw malformed("Timestamp holds no dates");
  return { created, expires };
}

/** Reads the response collection's provisioning document; a fault becomes its registry error (thrown). */
export function parseRequestSecurityTokenResponse(input: string | Uint8Array): RequestSecurityTokenResponse {
  const soap = parseSoapResponse(input);
  const fault = readFault(soap.body, soap.relatesTo);
  if (fault !== undefined) throw faultError(fault);
  const collection = expectElement(soap.body, NS.wst, "RequestSecurityTokenResponseCollection");
  const response = childElement(collection, NS.wst, "RequestSecurityTokenResponse");
  const requested = response === undefined ? undefined : childElement(response, NS.wst, "RequestedSecurityToken");
  const token = requested === undefined ? undefined : childElement(requested, NS.wsse, "BinarySecurityToken");
  if (token === undefined) throw malformed("response carries no BinarySecurityToken");
  if (attributeValue(token, "", "ValueType") !== TOKEN_TYPES.provisionDoc) throw malformed("token is not a provisioning document");
  if (soap.relatesTo === undefined) throw malformed("response has no RelatesTo");
  const document = decodeBase64(token.text, "the provisioning document");
  let provisioningDocument: string;
  try {
    provisioningDocument = new TextDecoder("utf-8", { fatal: true }).decode(document);
  } catch (error) {
    throw malformed("provisioning document is not UTF-8", error);
  }
  return { relatesTo: soap.relatesTo, provisioningDocument, timestamp: readTimestamp(soap.header) };
}
