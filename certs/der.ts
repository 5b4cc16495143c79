/**
 * A minimal reader of ASN.1 BER/DER elements (X.690 §8.1): identifier, definite length, contents. Enough to walk
 * an X.509 certificate and the extensions the service checks without building an object per node, which is what
 * makes schema-driven parsers cost milliseconds per certificate. Indefinite lengths (not allowed in DER, never met
 * in certificates) and multi-octet tag numbers are refused.
 */

/** X.690 universal tags and the context-specific ones X.509 uses, as full identifier octets. */
export const DER_TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Thrown for bytes that are not a well-formed element where one is expected. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** One element: its identifier octet and where its header and contents lie in `bytes`. */
export interface DerElement {
  readonly bytes: Uint8Array;
  readonly tag: number;
  readonly start: number;
  /** First contents octet. */
  readonly contentStart: number;
  /** One past the last contents octet. */
  readonly end: number;
}

const CONSTRUCTED = 0x20;
const MAX_LENGTH_OCTETS = 4;

/** The element starting at `offset`, which must end at or before `limit`. */
export function readElement(bytes: Uint8Array, offset = 0, limit = bytes.length): DerElement {
  if (offset + 2 > limit) throw new DerError("truncated element");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-octet tag numbers are not supported");
  let length = bytes[offset + 1]!;
  let contentStart = offset + 2;
  if (length > 0x7f) {
    const count = length & 0x7f;
    if (count === 0) throw new DerError("indefinite length");
    if (count > MAX_LENGTH_OCTETS || contentStart + count > limit) throw new DerError("bad length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[contentStart + i]!;
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError("element runs past its container");
  return { bytes, tag, start: offset, contentStart, end };
}

/** The element that must fill `bytes` exactly. */
export function readSingleElement(bytes: Uint8Array): DerElement {
  const element = readElement(bytes);
  if (element.end !== bytes.length) throw new DerError("trailing octets after the element");
  return element;
}

/** The elements a constructed element contains, in order. */
export function childrenOf(element: DerElement): DerElement[] {
  if ((element.tag & CONSTRUCTED) === 0) throw new DerError(`element 0x${element.tag.toString(16)} is not constructed`);
  const children: DerElement[] = [];
  for (let offset = element.contentStart; offset < element.end; ) {
    const child = readElement(element.bytes, offset, element.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** `element` after checking its identifier octet. */
export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined) throw new DerError(`${what} is missing`);
  if (element.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${element.tag.toString(16)}`);
  return element;
}

/** The contents octets (a view, not a copy). */
export function contentsOf(element: DerElement): Uint8Array {
  return element.bytes.subarray(element.contentStart, element.end);
}

/** The whole encoding, header included (a view, not a copy). */
export function encodingOf(element: DerElement): Uint8Array {
  return element.bytes.subarray(element.start, element.end);
}

/** X.690 §8.19: the dotted form of an OBJECT IDENTIFIER's contents. */
export function oidOf(element: DerElement): string {
  if (element.tag !== DER_TAG.oid || element.end === element.contentStart) throw new DerError("not an OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) {
    const octet = element.bytes[i]!;
    value = value * 128 + (octet & 0x7f);
    if ((octet & 0x80) !== 0) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  if ((element.bytes[element.end - 1]! & 0x80) !== 0) throw new DerError("OBJECT IDENTIFIER ends inside an arc");
  return arcs.join(".");
}

/** X.690 §8.2: a BOOLEAN (any non-zero octet is TRUE, as BER allows). */
export function booleanOf(element: DerElement): boolean {
  if (element.tag !== DER_TAG.boolean || element.end - element.contentStart !== 1) throw new DerError("not a BOOLEAN");
  return element.bytes[element.contentStart] !== 0;
}

/** A non-negative INTEGER that fits a JavaScript number exactly. */
export function smallIntegerOf(element: DerElement): number {
  if (element.tag !== DER_TAG.integer || element.end === element.contentStart) throw new DerError("not an INTEGER");
  if ((element.bytes[element.contentStart]! & 0x80) !== 0) throw new DerError("negative INTEGER");
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) value = value * 256 + element.bytes[i]!;
  if (!Number.isSafeInteger(value)) throw new DerError("INTEGER too large");
  return value;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf16be = new TextDecoder("utf-16be", { fatal: true });

function utf32beOf(octets: Uint8Array): string {
  if (octets.length % 4 !== 0) throw new DerError("UniversalString length is not a multiple of 4");
  const view = new DataView(octets.buffer, octets.byteOffset, octets.byteLength);
  let text = "";
  for (let i = 0; i < octets.length; i += 4) text += String.fromCodePoint(view.getUint32(i));
  return text;
}

/** The text of a character string element; undefined for a type that is not a string. */
export function stringOf(element: DerElement): string | undefined {
  const octets = contentsOf(element);
  try {
    switch (element.tag) {
      case DER_TAG.utf8String:
        return utf8.decode(octets);
      case DER_TAG.printableString:
      case DER_TAG.ia5String:
      case DER_TAG.teletexString:
        return latin1.decode(octets);
      case DER_TAG.bmpString:
        return utf16be.decode(octets);
      case DER_TAG.universalString:
        return utf32beOf(octets);
      default:
        return undefined;
    }
  } catch (error) {
    if (error instanceof DerError) throw error;
    throw new DerError(`bad character string: ${(error as Error).message}`);
  }
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/;

/** RFC 5280 §4.1.2.5: UTCTime (years 1950–2049) or GeneralizedTime, in UTC. */
export function timeOf(element: DerElement): Date {
  const text = latin1.decode(contentsOf(element));
  let fields: number[];
  let millis = 0;
  if (element.tag === DER_TAG.utcTime) {
    const match = UTC_TIME.exec(text);
    if (match === null) throw new DerError(`bad UTCTime ${text}`);
    fields = match.slice(1, 7).map((field) => Number(field ?? "0"));
    fields[0] = fields[0]! + (fields[0]! >= 50 ? 1900 : 2000);
  } else if (element.tag === DER_TAG.generalizedTime) {
    const match = GENERALIZED_TIME.exec(text);
    if (match === null) throw new DerError(`bad GeneralizedTime ${text}`);
    fields = match.slice(1, 7).map(Number);
    millis = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  } else {
    throw new DerError("not a UTCTime or GeneralizedTime");
  }
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`not a date: ${text}`);
  }
  return date;
}

/** Walks every element below `element`, so that a malformed nested encoding is found. */
export function checkWellFormed(element: DerElement, depth = 0): void {
  if (depth > 32) throw new DerError("nested too deeply");
  if ((element.tag & CONSTRUCTED) === 0) return;
  for (const child of childrenOf(element)) checkWellFormed(child, depth + 1);
}

/** X.690 §8.1.3: the definite-length octets of `length` (short form below 128, else the shortest long form). */
function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return [0x80 | octets.length, ...octets];
}

/** The DER element of identifier `tag` whose contents are `parts` in order. */
export function encodeElement(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const header = [tag, ...lengthOctets(length)];
  const element = new Uint8Array(header.length + length);
  element.set(header, 0);
  let offset = header.length;
  for (const part of parts) {
    element.set(part, offset);
    offset += part.length;
  }
  return element;
}

/** X.690 §8.19: the OBJECT IDENTIFIER element of a dotted OID. */
export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) throw new RangeError(`not an OID: ${oid}`);
  const octets: number[] = [];
  for (const value of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128: number[] = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift((rest & 0x7f) | 0x80);
    octets.push(...base128);
  }
  return encodeElement(DER_TAG.oid, Uint8Array.from(octets));
}

const twoDigits = (value: number): string => String(value).padStart(2, "0");

/** RFC 5280 §4.1.2.5.1: UTCTime YYMMDDHHMMSSZ, for a date in 1950–2049 (whole seconds). */
export function encodeUtcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime cannot hold ${date.toISOString()}`);
  const text =
    twoDigits(year % 100) + twoDigits(date.getUTCMonth() + 1) + twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) + twoDigits(date.getUTCMinutes()) + twoDigits(date.getUTCSeconds()) + "Z";
  return encodeElement(DER_TAG.utcTime, Buffer.from(text, "latin1"));
}
