/**
 * The Autopilot hardware hash ("4K hash") container, as decoded from public samples (reference
 * enrollment §3.1): magic "OA", a u16 offset of the checksum record, then little-endian records
 * {u16 type, u16 length including the 4-byte header, value}, then the "CS" record holding SHA-256 over
 * every byte before it, then zero padding. Nothing signs it: the checksum only catches corruption.
 * What each record means is in hardware-hash-fields.ts.
 */
import { createHash } from "node:crypto";
import { ProtocolError } from "./errors.js";
import { HASH_FIELDS, HashValueError, hashFieldSpec, type HardwareHashFields } from "./hardware-hash-fields.js";

/** Limits of the container. */
export const HARDWARE_HASH_LIMITS = Object.freeze({
  /** The "4K" hash: real ones are about 1–4 KB decoded. */
  maxBytes: 4096,
  /** Zero bytes written after the checksum record (the public sample carries 12). */
  trailingPadding: 12,
});

const MAGIC = Buffer.from("OA", "latin1");
/** "CS" read as a little-endian u16. */
export const CHECKSUM_RECORD_TYPE = 0x5343;
const HEADER_SIZE = 4;
const CHECKSUM_RECORD_SIZE = HEADER_SIZE + 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A record as it sits in the hash: its type and raw value. */
export interface HashRecord {
  readonly type: number;
  readonly value: Uint8Array;
}

/** A record read from a hash, with what the field table makes of it. */
export interface DecodedHashRecord extends HashRecord {
  /** Byte offset of the record's header. */
  readonly offset: number;
  /** The field name, or undefined for a record type this version does not know (kept as is). */
  readonly name: string | undefined;
  /** The value as the field table reads it (absent for unknown types and values that do not fit). */
  readonly decoded?: unknown;
  /** Why a known type's value does not fit its layout. */
  readonly error?: string;
}

/** A hash taken apart. */
export interface DecodedHardwareHash {
  readonly size: number;
  readonly checksumOffset: number;
  /** SHA-256 over bytes [0, checksumOffset), hex; verified. */
  readonly checksum: string;
  readonly records: readonly DecodedHashRecord[];
  /** The known fields that decoded (the first record of a type wins; network adapters are all kept). */
  readonly fields: HardwareHashFields;
}

function malformed(detail: string): ProtocolError {
  return new ProtocolError("HARDWARE_HASH_MALFORMED", detail);
}

/** SHA-256 of an EK public record's value: what EkPubHash carries. */
export function ekPubHashOf(ekPublic: Uint8Array): string {
  return createHash("sha256").update(ekPublic).digest("hex");
}

/** Lays records out behind the magic and appends the checksum record and padding. */
export function encodeHashRecords(records: readonly HashRecord[]): Buffer {
  const parts: Buffer[] = [MAGIC, Buffer.alloc(2)];
  let size = HEADER_SIZE;
  for (const record of records) {
    if (!Number.isInteger(record.type) || record.type < 0 || record.type > 0xffff || record.type === CHECKSUM_RECORD_TYPE) {
      throw new RangeError(`record type ${record.type} cannot be written`);
    }
    const length = HEADER_SIZE + record.value.length;
    if (length > 0xffff) throw new RangeError(`record type ${record.type} is longer than a u16 length allows`);
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeUInt16LE(record.type, 0);
    header.writeUInt16LE(length, 2);
    parts.push(header, Buffer.from(record.value));
    size += length;
  }
  const total = size + CHECKSUM_RECORD_SIZE + HARDWARE_HASH_LIMITS.trailingPadding;
  if (total > HARDWARE_HASH_LIMITS.maxBytes) {
    throw new ProtocolError("HARDWARE_HASH_TOO_LARGE", `${total} bytes`);
  }
  const body = Buffer.concat(parts);
  body.writeUInt16LE(size, 2);
  const checksum = Buffer.alloc(HEADER_SIZE);
  checksum.writeUInt16LE(CHECKSUM_RECORD_TYPE, 0);
  checksum.writeUInt16LE(CHECKSUM_RECORD_SIZE, 2);
  const digest = createHash("sha256").update(body).digest();
  return Buffer.concat([body, checksum, digest, Buffer.alloc(HARDWARE_HASH_LIMITS.trailingPadding)]);
}

/** The records of typed fields, in the table's order. */
export function hashRecordsOf(fields: HardwareHashFields): HashRecord[] {
  const records: HashRecord[] = [];
  for (const spec of HASH_FIELDS) {
    const value = fields[spec.key];
    if (value === undefined) continue;
    const values: readonly unknown[] = spec.repeated ? (value as readonly unknown[]) : [value];
    for (const one of values) records.push({ type: spec.type, value: spec.codec.encode(one) });
  }
  return records;
}

/** Builds a hash from typed fields (records in the order real hashes carry them). */
export function encodeHardwareHash(fields: HardwareHashFields): Buffer {
  return encodeHashRecords(hashRecordsOf(fields));
}

/** The bytes of a hash given as base64 (as the CSV and the DevDetail CSP carry it) or as bytes. */
export function hardwareHashBytes(input: string | Uint8Array): Buffer {
  if (typeof input !== "string") {
    if (input.length > HARDWARE_HASH_LIMITS.maxBytes) throw new ProtocolError("HARDWARE_HASH_TOO_LARGE", `${input.length} bytes`);
    return Buffer.from(input);
  }
  const text = input.trim();
  // Checked before decoding so an oversized input is never allocated.
  if (text.length > Math.ceil(HARDWARE_HASH_LIMITS.maxBytes / 3) * 4) {
    throw new ProtocolError("HARDWARE_HASH_TOO_LARGE", `${text.length} base64 characters`);
  }
  if (!BASE64.test(text)) throw malformed("not base64");
  return Buffer.from(text, "base64");
}

/**
 * Takes a hash apart: checks the magic, the checksum record and the checksum, walks the records, and
 * reads every known field. Structural problems are HARDWARE_HASH_MALFORMED, a wrong checksum
 * HARDWARE_HASH_CHECKSUM_MISMATCH, more than 4096 bytes HARDWARE_HASH_TOO_LARGE; a known record whose
 * value does not fit is reported on the record (see {@link validateHardwareHash}), not thrown.
 */
export function decodeHardwareHash(input: string | Uint8Array): DecodedHardwareHash {
  const bytes = hardwareHashBytes(input);
  if (bytes.length > HARDWARE_HASH_LIMITS.maxBytes) throw new ProtocolError("HARDWARE_HASH_TOO_LARGE", `${bytes.length} bytes`);
  if (bytes.length < HEADER_SIZE + CHECKSUM_RECORD_SIZE) throw malformed(`truncated: ${bytes.length} bytes`);
  if (!bytes.subarray(0, 2).equals(MAGIC)) throw malformed("it does not start with \"OA\"");
  const checksumOffset = bytes.readUInt16LE(2);
  if (checksumOffset < HEADER_SIZE || checksumOffset + CHECKSUM_RECORD_SIZE > bytes.length) {
    throw malformed(`the checksum offset ${checksumOffset} is outside the ${bytes.length}-byte hash (truncated?)`);
  }
  const checksumType = bytes.readUInt16LE(checksumOffset);
  const checksumLength = bytes.readUInt16LE(checksumOffset + 2);
  if (checksumType !== CHECKSUM_RECORD_TYPE || checksumLength !== CHECKSUM_RECORD_SIZE) {
    throw malformed(`no CS record at the checksum offset ${checksumOffset}`);
  }
  const digest = createHash("sha256").update(bytes.subarray(0, checksumOffset)).digest();
  if (!digest.equals(bytes.subarray(checksumOffset + HEADER_SIZE, checksumOffset + CHECKSUM_RECORD_SIZE))) {
    throw new ProtocolError("HARDWARE_HASH_CHECKSUM_MISMATCH");
  }
  if (bytes.subarray(checksumOffset + CHECKSUM_RECORD_SIZE).some((b) => b !== 0)) {
    throw malformed("non-zero bytes after the checksum record");
  }
  const records = readRecords(bytes, checksumOffset);
  return { size: bytes.length, checksumOffset, checksum: digest.toString("hex"), records, fields: fieldsOf(records) };
}

function readRecords(bytes: Buffer, end: number): DecodedHashRecord[] {
  const records: DecodedHashRecord[] = [];
  let offset = HEADER_SIZE;
  while (offset < end) {
    if (offset + HEADER_SIZE > end) throw malformed(`a record header at byte ${offset} runs past the checksum record`);
    const type = bytes.readUInt16LE(offset);
    const length = bytes.readUInt16LE(offset + 2);
    if (length < HEADER_SIZE || offset + length > end) {
      throw malformed(`the record at byte ${offset} (type ${type}) has length ${length}, past the checksum record at ${end}`);
    }
    if (type === CHECKSUM_RECORD_TYPE) throw malformed(`a second CS record at byte ${offset}`);
    const value = bytes.subarray(offset + HEADER_SIZE, offset + length);
    records.push(decodeRecord(type, value, offset));
    offset += length;
  }
  return records;
}

function decodeRecord(type: number, value: Buffer, offset: number): DecodedHashRecord {
  const spec = hashFieldSpec(type);
  if (spec === undefined) return { type, value, offset, name: undefined };
  try {
    return { type, value, offset, name: spec.name, decoded: spec.codec.decode(value) };
  } catch (error) {
    if (!(error instanceof HashValueError)) throw error;
    return { type, value, offset, name: spec.name, error: error.message };
  }
}

function fieldsOf(records: readonly DecodedHashRecord[]): HardwareHashFields {
  const fields: Record<string, unknown> = {};
  for (const record of records) {
    const spec = hashFieldSpec(record.type);
    if (spec === undefined || record.decoded === undefined) continue;
    if (spec.repeated) fields[spec.key] = [...((fields[spec.key] as unknown[] | undefined) ?? []), record.decoded];
    else if (!(spec.key in fields)) fields[spec.key] = record.decoded;
  }
  return fields;
}
