/**
 * The SOAP 1.2 envelope every MS-MDE2 message travels in: WS-Addressing headers (MS-MDE2 §2.2.1) and the
 * WS-Security header carrying the requester's token (MS-MDE2 §3.4.4.1.1.1: a UsernameToken for OnPremise, a
 * BinarySecurityToken for Federated and for joined devices).
 */
import { randomUUID } from "node:crypto";
import {
  XmlError,
  attributeValue,
  childElement,
  childElements,
  parseXml,
  serializeXml,
  xmlNode,
  type XmlElement,
  type XmlNode,
} from "../../lib/index.js";
import { ProtocolError } from "../errors.js";
import { MDE2_MAX_MESSAGE_BYTES, NS, TOKEN_TYPES } from "./namespaces.js";

/** The requester's credential from the WS-Security header. */
export type SecurityToken =
  | { readonly kind: "username"; readonly username: string; readonly password: string }
  | { readonly kind: "binary"; readonly valueType: string; readonly value: string };

/** A parsed request envelope. */
export interface SoapRequest {
  readonly action: string;
  readonly messageId: string;
  readonly to: string | undefined;
  readonly security: SecurityToken | undefined;
  /** The one element inside s:Body. */
  readonly body: XmlElement;
}

/** What a sender puts in the headers. */
export interface SoapHeaders {
  readonly action: string;
  /** Requests: the message's id (a fresh `urn:uuid:` when absent). */
  readonly messageId?: string;
  /** Responses: the request's MessageID. */
  readonly relatesTo?: string;
  readonly to?: string;
  readonly security?: SecurityToken;
}

/** Prefixes every envelope we write declares on its root. */
const ENVELOPE_PREFIXES = { "xmlns:s": NS.soap, "xmlns:a": NS.addressing, "xmlns:u": NS.wsu } as const;

/** A fresh `urn:uuid:` message id. */
export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** A rejection of a message's content: the MessageFormat fault unless another code is named. */
export function malformed(detail: string, cause?: unknown, code: "MDE2_MESSAGE_FORMAT" | "MDE2_INVALID_ENROLLMENT_DATA" = "MDE2_MESSAGE_FORMAT"): ProtocolError {
  return new ProtocolError(code, detail, cause === undefined ? undefined : { cause });
}

/** The text of a required child, trimmed; MDE2_MESSAGE_FORMAT when missing or empty. */
export function requiredText(parent: XmlElement, namespace: string, localName: string): string {
  const text = childElement(parent, namespace, localName)?.text.trim();
  if (text === undefined || text === "") throw malformed(`${parent.localName} lacks ${localName}`);
  return text;
}

/** The text of an optional child, trimmed; undefined when absent, empty or xsi:nil. */
export function optionalText(parent: XmlElement, namespace: string, localName: string): string | undefined {
  const element = childElement(parent, namespace, localName);
  if (element === undefined || isNil(element)) return undefined;
  const text = element.text.trim();
  return text === "" ? undefined : text;
}

/** True for an element marked `xsi:nil="true"`. */
export function isNil(element: XmlElement): boolean {
  const nil = attributeValue(element, NS.xsi, "nil")?.trim();
  return nil === "true" || nil === "1";
}

/** Bytes of base64 text (line breaks and spaces allowed); MDE2_MESSAGE_FORMAT when it is not base64. */
export function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw malformed(`${what} is not base64`);
  }
  return Buffer.from(compact, "base64");
}

/** Parses bytes as an XML document with the MS-MDE2 bounds; malformed or oversized input is MDE2_MESSAGE_FORMAT. */
export function parseMde2Xml(input: string | Uint8Array, maxBytes = MDE2_MAX_MESSAGE_BYTES): XmlElement {
  try {
    return parseXml(input, { maxBytes, maxDepth: 32, maxElements: 5_000 });
  } catch (error) {
    if (error instanceof XmlError) throw malformed(`${error.code}: ${error.message}`, error);
    throw error;
  }
}

function parseSecurity(header: XmlElement | undefined): SecurityToken | undefined {
  const security = header === undefined ? undefined : childElement(header, NS.wsse, "Security");
  if (security === undefined) return undefined;
  const username = childElement(security, NS.wsse, "UsernameToken");
  if (username !== undefined) {
    const password = childElement(username, NS.wsse, "Password");
    const type = password === undefined ? undefined : (attributeValue(password, "", "Type") ?? attributeValue(password, NS.wsse, "Type"));
    if (type !== undefined && type !== TOKEN_TYPES.passwordText) {
      throw new ProtocolError("MDE2_INVALID_SECURITY", `password type ${type} is not PasswordText`);
    }
    return { kind: "username", username: requiredText(username, NS.wsse, "Username"), password: password?.text ?? "" };
  }
  const binary = childElement(security, NS.wsse, "BinarySecurityToken");
  if (binary !== undefined) {
    const valueType = attributeValue(binary, "", "ValueType");
    if (valueType === undefined) throw new ProtocolError("MDE2_INVALID_SECURITY", "BinarySecurityToken without ValueType");
    return { kind: "binary", valueType, value: binary.text.trim() };
  }
  throw new ProtocolError("MDE2_INVALID_SECURITY", "wsse:Security holds no UsernameToken or BinarySecurityToken");
}

/** The s:Envelope's header and body elements, checking the envelope namespace (SOAP 1.2 only). */
export function envelopeParts(root: XmlElement): { header: XmlElement | undefined; body: XmlElement } {
  if (root.localName !== "Envelope" || root.namespace !== NS.soap) {
    throw malformed(`root is {${root.namespace}}${root.localName}, not a SOAP 1.2 Envelope`);
  }
  const body = childElement(root, NS.soap, "Body");
  if (body === undefined) throw malformed("Envelope has no Body");
  return { header: childElement(root, NS.soap, "Header"), body };
}

/**
 * Reads a request envelope: WS-Addressing Action and MessageID (required), To, the WS-Security token, and the
 * single body element. `expectedAction` must match. Malformed envelopes are MDE2_MESSAGE_FORMAT; a security
 * header that names no usable token is MDE2_INVALID_SECURITY.
 */
export function parseSoapRequest(input: string | Uint8Array, expectedAction: string): SoapRequest {
  const { header, body } = envelopeParts(parseMde2Xml(input));
  if (header === undefined) throw malformed("Envelope has no Header");
  const action = requiredText(header, NS.addressing, "Action");
  if (action !== expectedAction) throw malformed(`action ${action} is not ${expectedAction}`);
  const [content, extra] = body.children;
  if (content === undefined || extra !== undefined) throw malformed("Body must hold exactly one element");
  return {
    action,
    messageId: requiredText(header, NS.addressing, "MessageID"),
    to: optionalText(header, NS.addressing, "To"),
    security: parseSecurity(header),
    body: content,
  };
}

/** Reads a response envelope's RelatesTo and its single body element (which may be an s:Fault). */
export function parseSoapResponse(input: string | Uint8Array): {
  action: string | undefined;
  relatesTo: string | undefined;
  header: XmlElement | undefined;
  body: XmlElement;
} {
  const { header, body } = envelopeParts(parseMde2Xml(input));
  const [content, extra] = body.children;
  if (content === undefined || extra !== undefined) throw malformed("Body must hold exactly one element");
  return {
    action: header === undefined ? undefined : optionalText(header, NS.addressing, "Action"),
    relatesTo: header === undefined ? undefined : optionalText(header, NS.addressing, "RelatesTo"),
    header,
    body: content,
  };
}

function securityNode(token: SecurityToken): XmlNode {
  const inner =
    token.kind === "username"
      ? xmlNode(
          "wsse:UsernameToken",
          { "u:Id": `uuid-${randomUUID()}-1` },
          xmlNode("wsse:Username", {}, token.username),
          xmlNode("wsse:Password", { "wsse:Type": TOKEN_TYPES.passwordText }, token.password),
        )
      : xmlNode("wsse:BinarySecurityToken", { ValueType: token.valueType, EncodingType: TOKEN_TYPES.base64Binary }, token.value);
  return xmlNode("wsse:Security", { "xmlns:wsse": NS.wsse, "s:mustUnderstand": "1" }, inner);
}

/** Serializes an envelope around `body` with the given headers. */
export function buildSoapEnvelope(headers: SoapHeaders, body: XmlNode, extraHeaders: readonly XmlNode[] = []): string {
  const headerNodes: XmlNode[] = [xmlNode("a:Action", { "s:mustUnderstand": "1" }, headers.action)];
  if (headers.relatesTo !== undefined) headerNodes.push(xmlNode("a:RelatesTo", {}, headers.relatesTo));
  else {
    headerNodes.push(xmlNode("a:MessageID", {}, headers.messageId ?? newMessageId()));
    headerNodes.push(xmlNode("a:ReplyTo", {}, xmlNode("a:Address", {}, "http://www.w3.org/2005/08/addressing/anonymous")));
  }
  if (headers.to !== undefined) headerNodes.push(xmlNode("a:To", { "s:mustUnderstand": "1" }, headers.to));
  if (headers.security !== undefined) headerNodes.push(securityNode(headers.security));
  headerNodes.push(...extraHeaders);
  return serializeXml(
    xmlNode("s:Envelope", ENVELOPE_PREFIXES, xmlNode("s:Header", {}, ...headerNodes), xmlNode("s:Body", {}, body)),
  );
}

/** The body elements named `localName` in `namespace` below `parent`, at least `min` of them. */
export function requiredChildren(parent: XmlElement, namespace: string, localName: string, min = 1): XmlElement[] {
  const found = childElements(parent, namespace, localName);
  if (found.length < min) throw malformed(`${parent.localName} needs at least ${min} ${localName}`);
  return found;
}

/** The element, checked to be `localName` in `namespace`. */
export function expectElement(element: XmlElement, namespace: string, localName: string): XmlElement {
  if (element.localName !== localName || element.namespace !== namespace) {
    throw malformed(`expected {${namespace}}${localName}, got {${element.namespace}}${element.localName}`);
  }
  return element;
}
