/**
 * The one marshaller: TPM 2.0 structures are declared as schemas (Part 2 tables as data) and this file reads and
 * writes them. Unmarshalling validates as it reads, so a malformed byte string becomes a TpmError carrying the
 * Part 2 response code (SIZE, INSUFFICIENT, VALUE, SELECTOR, …) and the path of the offending field.
 */
import { TPM_RC } from "./constants.js";
import { TpmError } from "./errors.js";

/** Cursor over a byte string; every read past the end is TPM_RC_INSUFFICIENT. */
export class Reader {
  // Buffer's own integer readers: cheaper to set up than a DataView for the short strings TPM commands are
  private readonly view: Buffer;
  offset: number;
  readonly end: number;

  constructor(
    readonly buffer: Uint8Array,
    offset = 0,
    end = buffer.length,
  ) {
    this.view = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (at + n > this.end) throw new TpmError(TPM_RC.INSUFFICIENT);
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.view.readUInt8(this.need(1));
  }
  u16(): number {
    return this.view.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.view.readUInt32BE(this.need(4));
  }
  i32(): number {
    return this.view.readInt32BE(this.need(4));
  }
  u64(): bigint {
    return this.view.readBigUInt64BE(this.need(8));
  }
  /** A copy, so values never alias the command buffer. */
  bytes(n: number): Buffer {
    const at = this.need(n);
    return Buffer.from(this.view.subarray(at, at + n));
  }
}

/** Growable big-endian output buffer. */
export class Writer {
  private buf: Buffer;
  private view: DataView;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + n));
      this.buf.copy(next, 0, 0, at);
      this.buf = next;
      this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    }
    this.length = at + n;
    return at;
  }

  // reserve() may replace the buffer and its view: take the offset before touching this.view
  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }
  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v >>> 0);
  }
  i32(v: number): void {
    const at = this.reserve(4);
    this.view.setInt32(at, v);
  }
  u64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }
  /** Overwrites a u16 written earlier (TPM2B size fields). */
  patchU16(at: number, v: number): void {
    this.view.setUint16(at, v);
  }
  /** Overwrites a u32 written earlier (command and response sizes). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Parent structure being read or written, so a union can see its selector. */
type Context = Record<string, unknown>;

/** A Part 2 type: how to read it (validating) and how to write it. */
export interface Schema<T> {
  readonly name: string;
  /** Set on TPM2B types: a command whose first parameter is one may use parameter encryption (Part 1 §21). */
  readonly sized?: true;
  read(r: Reader, ctx?: Context): T;
  write(w: Writer, value: T, ctx?: Context): void;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Marshal a value to its wire bytes. */
export function marshal<T>(schema: Schema<T>, value: T): Buffer {
  const w = new Writer();
  schema.write(w, value);
  return w.finish();
}

/**
 * Unmarshal a value that must fill `bytes` exactly; trailing bytes are TPM_RC_SIZE.
 * Throws TpmError naming the field on any malformed input.
 */
export function unmarshal<T>(schema: Schema<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes);
  const value = schema.read(r);
  if (r.remaining !== 0) throw new TpmError(TPM_RC.SIZE, { field: schema.name });
  return value;
}

/** Unmarshal a value from the start of `bytes`, returning it with the number of bytes it took. */
export function unmarshalPrefix<T>(schema: Schema<T>, bytes: Uint8Array): { value: T; size: number } {
  const r = new Reader(bytes);
  const value = schema.read(r);
  return { value, size: r.offset };
}

/** Size in bytes of a value's wire form. */
export function sizeOf<T>(schema: Schema<T>, value: T): number {
  return marshal(schema, value).length;
}

function withField(e: unknown, field: string): never {
  if (e instanceof TpmError) {
    e.field = e.field ? `${field}.${e.field}` : field;
    e.message = `${e.message.split(" (")[0]} (${e.field})`;
  }
  throw e;
}

// ---------------------------------------------------------------------------------------------------------------
// primitives

interface IntOptions {
  /** Accepted values; anything else is `rc`. */
  values?: ReadonlySet<number> | readonly number[];
  /** A further check on the value. */
  check?: (v: number) => boolean;
  /** Response code for a rejected value (default TPM_RC_VALUE). */
  rc?: number;
}

function integer(
  name: string,
  read: (r: Reader) => number,
  write: (w: Writer, v: number) => void,
  opts: IntOptions = {},
): Schema<number> {
  const set = opts.values === undefined ? undefined : new Set(opts.values);
  const check = opts.check;
  const rc = opts.rc ?? TPM_RC.VALUE;
  if (!set && !check) return { name, read, write: (w, v) => write(w, v) };
  return {
    name,
    read(r) {
      const v = read(r);
      if ((set && !set.has(v)) || (check && !check(v))) throw new TpmError(rc);
      return v;
    },
    write: (w, v) => write(w, v),
  };
}

export const u8 = (name = "UINT8", opts?: IntOptions): Schema<number> =>
  integer(
    name,
    (r) => r.u8(),
    (w, v) => w.u8(v),
    opts,
  );
export const u16 = (name = "UINT16", opts?: IntOptions): Schema<number> =>
  integer(
    name,
    (r) => r.u16(),
    (w, v) => w.u16(v),
    opts,
  );
export const u32 = (name = "UINT32", opts?: IntOptions): Schema<number> =>
  integer(
    name,
    (r) => r.u32(),
    (w, v) => w.u32(v),
    opts,
  );
export const i32 = (name = "INT32"): Schema<number> =>
  integer(
    name,
    (r) => r.i32(),
    (w, v) => w.i32(v),
  );

export const UINT8 = u8();
export const UINT16 = u16();
export const UINT32 = u32();
export const INT32 = i32();
export const UINT64: Schema<bigint> = {
  name: "UINT64",
  read: (r) => r.u64(),
  write: (w, v) => w.u64(v),
};

/** TPMI_YES_NO (Part 2 §9.2). */
export const TPMI_YES_NO: Schema<boolean> = {
  name: "TPMI_YES_NO",
  read(r) {
    const v = r.u8();
    if (v > 1) throw new TpmError(TPM_RC.VALUE);
    return v === 1;
  },
  write: (w, v) => w.u8(v ? 1 : 0),
};

/** A bit-field attribute word; set reserved bits are `rc` (TPM_RC_RESERVED_BITS by default). */
export function attributes32(name: string, reservedMask: number, rc: number = TPM_RC.RESERVED_BITS): Schema<number> {
  return u32(name, { check: (v) => (v & reservedMask) >>> 0 === 0, rc });
}

/** A union arm that puts nothing on the wire (e.g. the TPM_ALG_NULL case). */
export const EMPTY: Schema<undefined> = {
  name: "EMPTY",
  read: () => undefined,
  write: () => undefined,
};

/** A TPM2B byte buffer: UINT16 size, then that many bytes; a size above `max` is TPM_RC_SIZE. */
export function sized(name: string, max: number): Schema<Uint8Array> {
  return {
    name,
    sized: true,
    read(r) {
      const n = r.u16();
      if (n > max) throw new TpmError(TPM_RC.SIZE, { field: name });
      return r.bytes(n);
    },
    write(w, v) {
      w.u16(v.length);
      w.bytes(v);
    },
  };
}

/**
 * A TPM2B that wraps a structure (TPM2B_PUBLIC, TPM2B_ECC_POINT, …). The inner structure must fill the size
 * exactly (TPM_RC_SIZE otherwise). A zero size reads as `undefined` when `optional`, else TPM_RC_SIZE.
 */
export function sizedStruct<T>(name: string, inner: Schema<T>): Schema<T>;
export function sizedStruct<T>(name: string, inner: Schema<T>, opts: { optional: true }): Schema<T | undefined>;
export function sizedStruct<T>(name: string, inner: Schema<T>, opts?: { optional: boolean }): Schema<T | undefined> {
  const optional = opts?.optional ?? false;
  return {
    name,
    sized: true,
    read(r) {
      const n = r.u16();
      if (n === 0) {
        if (optional) return undefined;
        throw new TpmError(TPM_RC.SIZE, { field: name });
      }
      if (n > r.remaining) throw new TpmError(TPM_RC.INSUFFICIENT, { field: name });
      const sub = new Reader(r.buffer, r.offset, r.offset + n);
      const value = inner.read(sub);
      if (sub.remaining !== 0) throw new TpmError(TPM_RC.SIZE, { field: name });
      r.offset += n;
      return value;
    },
    write(w, v) {
      const at = w.length;
      w.u16(0);
      if (v === undefined) return;
      inner.write(w, v);
      w.patchU16(at, w.length - at - 2);
    },
  };
}

type Fields = Record<string, Schema<unknown>>;
export type StructOf<F extends Fields> = { -readonly [K in keyof F]: Infer<F[K]> };

/** A structure: fields in declaration order. Errors name the field path (e.g. `parameters.symmetric.mode`). */
export function struct<F extends Fields>(name: string, fields: F): Schema<StructOf<F>> {
  const entries = Object.entries(fields);
  return {
    name,
    read(r) {
      const out: Context = {};
      for (const [key, schema] of entries) {
        try {
          out[key] = schema.read(r, out);
        } catch (e) {
          withField(e, key);
        }
      }
      return out as StructOf<F>;
    },
    write(w, v) {
      const ctx = v as Context;
      for (const [key, schema] of entries) schema.write(w, ctx[key], ctx);
    },
  };
}

/**
 * A TPMU union selected by a sibling field read earlier (e.g. TPMT_PUBLIC.type selects TPMU_PUBLIC_PARMS).
 * An unknown selector is `rc` (TPM_RC_SELECTOR by default).
 */
export function union<C extends Record<number, Schema<unknown>>>(
  name: string,
  selector: string,
  cases: C,
  rc: number = TPM_RC.SELECTOR,
): Schema<Infer<C[keyof C]>> {
  const table = new Map<number, Schema<unknown>>(Object.entries(cases).map(([k, s]) => [Number(k), s]));
  const pick = (ctx: Context | undefined): Schema<unknown> => {
    const sel = ctx?.[selector];
    const arm = typeof sel === "number" ? table.get(sel) : undefined;
    if (!arm) throw new TpmError(rc, { field: name });
    return arm;
  };
  return {
    name,
    read: (r, ctx) => pick(ctx).read(r) as Infer<C[keyof C]>,
    write: (w, v, ctx) => pick(ctx).write(w, v),
  };
}

/** A TPML list: UINT32 count, then the items; a count above `max` is TPM_RC_SIZE. */
export function list<T>(name: string, item: Schema<T>, max: number): Schema<T[]> {
  return {
    name,
    read(r) {
      const n = r.u32();
      if (n > max) throw new TpmError(TPM_RC.SIZE, { field: name });
      const out: T[] = new Array<T>(n);
      for (let i = 0; i < n; i++) {
        try {
          out[i] = item.read(r);
        } catch (e) {
          withField(e, `${name}[${i}]`);
        }
      }
      return out;
    },
    write(w, v) {
      w.u32(v.length);
      for (const x of v) item.write(w, x);
    },
  };
}

/** A fixed-length byte array (no size prefix). */
export function fixedBytes(name: string, length: number): Schema<Uint8Array> {
  return {
    name,
    read: (r) => r.bytes(length),
    write(w, v) {
      if (v.length !== length) throw new TpmError(TPM_RC.SIZE, { field: name });
      w.bytes(v);
    },
  };
}

/** Whatever is left of the buffer, as bytes (e.g. a response tail). */
export const REST: Schema<Uint8Array> = {
  name: "REST",
  read: (r) => r.bytes(r.remaining),
  write: (w, v) => w.bytes(v),
};

/** Compare two byte strings. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
