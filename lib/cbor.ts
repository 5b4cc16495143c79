import { Encoder, type Options } from "cbor-x";

/**
 * The project's only cbor-x configuration. Interoperable output for peers that are not cbor-x:
 * no record extension (useRecords), no tag 64 for Uint8Array (a plain byte string, major type 2),
 * no tag 259 for Map, and minimal map-length headers (RFC 8949 §4.1 preferred serialization).
 */
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
  useTag259ForMaps: false,
} as Options & { readonly useTag259ForMaps: boolean });

/** Thrown by {@link decodeCbor} for input that is not exactly one well-formed CBOR data item. */
export class CborDecodeError extends Error {
  /** Stable code; match on this, never on the message. */
  readonly code = "CBOR_MALFORMED";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CborDecodeError";
  }
}

/**
 * Encodes a value as CBOR. Uint8Array/Buffer become byte strings, bigint beyond 64 bits a bignum
 * (tag 2/3), Map and plain objects CBOR maps. The result is a fresh copy, never a view of the
 * encoder's shared buffer.
 */
export function encodeCbor(value: unknown): Uint8Array {
  return Uint8Array.from(encoder.encode(value));
}

/**
 * Decodes exactly one CBOR data item. Maps come back as plain objects (keys as strings), byte strings
 * as Buffer (a Uint8Array), 64-bit integers as bigint. Truncated, malformed or trailing input throws
 * {@link CborDecodeError}.
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw new CborDecodeError("CBOR input must be a Uint8Array");
  try {
    return encoder.decode(bytes) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CborDecodeError(`malformed CBOR: ${reason}`, { cause: error });
  }
}
