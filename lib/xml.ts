/**
 * The project's only fast-xml-parser configuration, and a namespace-aware element tree on top of it. SOAP and SyncML
 * peers choose their own prefixes, so readers match elements by (namespace URI, local name), never by prefix.
 * Parsing is bounded: a size limit, a depth limit, an element-count limit, and no DTDs at all (so no entity
 * expansion); only the five predefined entities and numeric character references are decoded.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** Stable codes of {@link XmlError}. */
export type XmlErrorCode = "XML_MALFORMED" | "XML_TOO_LARGE" | "XML_FORBIDDEN";

/** Thrown by {@link parseXml}; match on `code`, never on the message. */
export class XmlError extends Error {
  readonly code: XmlErrorCode;

  constructor(code: XmlErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "XmlError";
    this.code = code;
  }
}

/** Bounds of one parse. */
export interface XmlLimits {
  /** Largest document, in bytes of UTF-8; default 1 MiB. */
  readonly maxBytes?: number;
  /** Deepest element nesting; default 64 (the parser itself stops at 100, as XML_MALFORMED). */
  readonly maxDepth?: number;
  /** Most elements in the document; default 20,000. */
  readonly maxElements?: number;
}

/** An attribute with its namespace resolved (`""` for an unprefixed attribute). */
export interface XmlAttribute {
  readonly name: string;
  readonly localName: string;
  readonly namespace: string;
  readonly value: string;
}

/** An element of a parsed document, namespaces resolved. */
export interface XmlElement {
  /** The qualified name as written (`s:Envelope`). */
  readonly name: string;
  readonly localName: string;
  /** The namespace URI in scope for the element's prefix (`""` for none). */
  readonly namespace: string;
  /** Attributes other than namespace declarations. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own character data (text and CDATA directly inside it), concatenated, untrimmed. */
  readonly text: string;
}

const DEFAULT_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64, maxElements: 20_000 } as const;

/** Namespace URI the `xml` prefix is bound to by definition (Namespaces in XML 1.0 §3). */
export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

const TEXT = "#text";
const CDATA = "#cdata";
const ATTRIBUTES = ":@";

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded here (decodeEntities), in one pass, so `&amp;#65;` stays the text `&#65;`.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
  commentPropName: false,
});

const utf8 = new TextDecoder("utf-8", { fatal: true });
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|apos|quot));|&/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/** XML 1.0 §4.1/§4.6: character references and the predefined entities; any other `&` is an error. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (match, hex: string | undefined, decimal: string | undefined, name: string | undefined) => {
    if (name !== undefined) return PREDEFINED[name]!;
    if (hex === undefined && decimal === undefined) throw new XmlError("XML_MALFORMED", "undefined entity or stray '&'");
    const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
    const allowed = codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd || (codePoint >= 0x20 && codePoint <= 0x10ffff);
    if (!allowed || (codePoint >= 0xd800 && codePoint <= 0xdfff)) throw new XmlError("XML_MALFORMED", `bad character reference ${match}`);
    return String.fromCodePoint(codePoint);
  });
}

type RawNode = Record<string, unknown>;

function splitName(name: string): { prefix: string; localName: string } {
  const colon = name.indexOf(":");
  if (colon === -1) return { prefix: "", localName: name };
  if (colon === 0 || colon === name.length - 1 || name.indexOf(":", colon + 1) !== -1) {
    throw new XmlError("XML_MALFORMED", `bad qualified name ${name}`);
  }
  return { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

interface BuildState {
  elements: number;
  readonly limits: Required<XmlLimits>;
}

function buildElement(node: RawNode, scope: ReadonlyMap<string, string>, depth: number, state: BuildState): XmlElement {
  if (depth > state.limits.maxDepth) throw new XmlError("XML_TOO_LARGE", `elements nested deeper than ${state.limits.maxDepth}`);
  if (++state.elements > state.limits.maxElements) throw new XmlError("XML_TOO_LARGE", `more than ${state.limits.maxElements} elements`);
  const name = Object.keys(node).find((key) => key !== ATTRIBUTES)!;
  const rawAttributes = (node[ATTRIBUTES] ?? {}) as Record<string, string>;
  let inScope = scope;
  for (const [attribute, value] of Object.entries(rawAttributes)) {
    if (attribute !== "xmlns" && !attribute.startsWith("xmlns:")) continue;
    if (inScope === scope) inScope = new Map(scope);
    const uri = decodeEntities(value);
    const prefix = attribute === "xmlns" ? "" : attribute.slice("xmlns:".length);
    if (prefix !== "" && uri === "") throw new XmlError("XML_MALFORMED", `prefix ${prefix} undeclared with an empty URI`);
    (inScope as Map<string, string>).set(prefix, uri);
  }
  const resolve = (prefix: string, what: string): string => {
    const uri = inScope.get(prefix);
    if (uri === undefined) throw new XmlError("XML_MALFORMED", `unbound namespace prefix ${prefix} on ${what}`);
    return uri;
  };
  const qualified = splitName(name);
  const attributes: XmlAttribute[] = [];
  for (const [attribute, value] of Object.entries(rawAttributes)) {
    if (attribute === "xmlns" || attribute.startsWith("xmlns:")) continue;
    const parts = splitName(attribute);
    attributes.push({
      name: attribute,
      localName: parts.localName,
      namespace: parts.prefix === "" ? "" : resolve(parts.prefix, attribute),
      value: decodeEntities(value),
    });
  }
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (node[name] ?? []) as RawNode[]) {
    if (TEXT in child) text += decodeEntities(String(child[TEXT]));
    else if (CDATA in child) text += ((child[CDATA] ?? []) as RawNode[]).map((part) => (part[TEXT] as string | undefined) ?? "").join("");
    else children.push(buildElement(child, inScope, depth + 1, state));
  }
  return {
    name,
    localName: qualified.localName,
    namespace: qualified.prefix === "" ? (inScope.get("") ?? "") : resolve(qualified.prefix, name),
    attributes,
    children,
    text,
  };
}

/**
 * Parses one XML document (a string, or UTF-8 bytes) into its root element with namespaces resolved.
 * @throws XmlError XML_TOO_LARGE beyond the limits, XML_FORBIDDEN for a DTD or entity declaration, XML_MALFORMED
 * for anything that is not one well-formed, namespace-well-formed document.
 */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const bounded: Required<XmlLimits> = { ...DEFAULT_LIMITS, ...limits };
  const size = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.length;
  if (size > bounded.maxBytes) throw new XmlError("XML_TOO_LARGE", `document of ${size} bytes exceeds ${bounded.maxBytes}`);
  let text: string;
  try {
    text = typeof input === "string" ? input : utf8.decode(input);
  } catch (error) {
    throw new XmlError("XML_MALFORMED", "document is not valid UTF-8", { cause: error });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError("XML_FORBIDDEN", "DTDs and entity declarations are not accepted");
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    throw new XmlError("XML_MALFORMED", `${validation.err.msg} (line ${validation.err.line}, column ${validation.err.col})`);
  }
  let nodes: RawNode[];
  try {
    nodes = parser.parse(text) as RawNode[];
  } catch (error) {
    throw new XmlError("XML_MALFORMED", (error as Error).message, { cause: error });
  }
  const roots = nodes.filter((node) => !(TEXT in node));
  if (roots.length !== 1) throw new XmlError("XML_MALFORMED", `a document has exactly one root element, found ${roots.length}`);
  if (nodes.some((node) => TEXT in node && String(node[TEXT]).trim() !== "")) {
    throw new XmlError("XML_MALFORMED", "text outside the root element");
  }
  const scope = new Map([
    ["xml", XML_NAMESPACE],
    ["xmlns", XMLNS_NAMESPACE],
  ]);
  return buildElement(roots[0]!, scope, 1, { elements: 0, limits: bounded });
}

/** The child elements of `element` named `localName` in `namespace`. */
export function childElements(element: XmlElement, namespace: string, localName: string): XmlElement[] {
  return element.children.filter((child) => child.localName === localName && child.namespace === namespace);
}

/** The first child element named `localName` in `namespace`, if any. */
export function childElement(element: XmlElement, namespace: string, localName: string): XmlElement | undefined {
  return element.children.find((child) => child.localName === localName && child.namespace === namespace);
}

/** The value of the attribute `localName` in `namespace` (`""` for an unprefixed attribute), if present. */
export function attributeValue(element: XmlElement, namespace: string, localName: string): string | undefined {
  return element.attributes.find((attribute) => attribute.localName === localName && attribute.namespace === namespace)?.value;
}

/** An element to serialize: its qualified name, attributes (namespace declarations included) and content. */
export interface XmlNode {
  readonly name: string;
  /** Attributes in order; undefined values are left out. */
  readonly attributes?: Readonly<Record<string, string | undefined>>;
  /** Child elements and text, in order; undefined entries are left out. */
  readonly children?: readonly (XmlNode | string | undefined)[];
}

/** A node for {@link serializeXml}; a string child is character data. */
export function xmlNode(name: string, attributes: XmlNode["attributes"] = {}, ...children: (XmlNode | string | undefined)[]): XmlNode {
  return { name, attributes, children };
}

/** Character data escaped for element content. */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Character data escaped for a double-quoted attribute value (line breaks kept as references). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, "&quot;").replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

function serializeNode(node: XmlNode, parts: string[]): void {
  parts.push("<", node.name);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    if (value !== undefined) parts.push(" ", name, '="', escapeXmlAttribute(value), '"');
  }
  const children = (node.children ?? []).filter((child) => child !== undefined);
  if (children.length === 0) {
    parts.push("/>");
    return;
  }
  parts.push(">");
  for (const child of children) {
    if (typeof child === "string") parts.push(escapeXmlText(child));
    else serializeNode(child, parts);
  }
  parts.push("</", node.name, ">");
}

/** Serializes a node tree; with `declaration`, prefixed by `<?xml version="1.0" encoding="utf-8"?>`. */
export function serializeXml(node: XmlNode, options: { readonly declaration?: boolean } = {}): string {
  const parts: string[] = options.declaration === true ? ['<?xml version="1.0" encoding="utf-8"?>'] : [];
  serializeNode(node, parts);
  return parts.join("");
}
