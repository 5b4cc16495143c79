/**
 * The record types of the Autopilot hardware hash and how each value is laid out. No specification is
 * published; the table follows two public hashes: the HP ProBook 450 G5 sample of reference enrollment §3.1
 * (re-encoded byte for byte by this table) and the Hyper-V virtual machine hash in oofhours.com "Connect the
 * dots: Remediating the Autopilot hardware hash" (2022, first 1 KB). Names follow the fields oa3tool's
 * /DecodeHwHash reports where the documentation names them (the critical fields); the others are
 * descriptive and inferred from the sample values. Parts marked "unidentified" are kept byte for byte
 * without a meaning we could confirm.
 */

/** Why a record's value does not fit its type's layout. */
export class HashValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HashValueError";
  }
}

/** Encodes and decodes one record's value (the bytes after the 4-byte record header). */
export interface ValueCodec<T> {
  encode(value: T): Buffer;
  /** Throws {@link HashValueError} when the bytes do not fit the layout. */
  decode(bytes: Buffer): T;
}

type Scalar = "u8" | "u16" | "u32" | "u64" | "hex8";
type ScalarValue<S extends Scalar> = S extends "hex8" ? string : number;
type StructOf<L extends readonly (readonly [string, Scalar])[]> = { readonly [E in L[number] as E[0]]: ScalarValue<E[1]> };

const SCALAR_SIZE: Record<Scalar, number> = { u8: 1, u16: 2, u32: 4, u64: 8, hex8: 8 };

/** A fixed little-endian structure of named scalars. */
function struct<const L extends readonly (readonly [string, Scalar])[]>(layout: L): ValueCodec<StructOf<L>> {
  const size = layout.reduce((sum, [, scalar]) => sum + SCALAR_SIZE[scalar], 0);
  return {
    encode(value) {
      const out = Buffer.alloc(size);
      let offset = 0;
      for (const [name, scalar] of layout) {
        const field = (value as Record<string, number | string>)[name];
        writeScalar(out, offset, scalar, field, name);
        offset += SCALAR_SIZE[scalar];
      }
      return out;
    },
    decode(bytes) {
      if (bytes.length !== size) throw new HashValueError(`expected ${size} bytes, found ${bytes.length}`);
      const value: Record<string, number | string> = {};
      let offset = 0;
      for (const [name, scalar] of layout) {
        value[name] = readScalar(bytes, offset, scalar);
        offset += SCALAR_SIZE[scalar];
      }
      return value as StructOf<L>;
    },
  };
}

function writeScalar(out: Buffer, offset: number, scalar: Scalar, value: number | string | undefined, name: string): void {
  if (scalar === "hex8") {
    if (typeof value !== "string" || !/^[0-9a-f]{16}$/i.test(value)) throw new RangeError(`${name}: expected 16 hex digits`);
    Buffer.from(value, "hex").copy(out, offset);
    return;
  }
  const max = scalar === "u64" ? Number.MAX_SAFE_INTEGER : 2 ** (8 * SCALAR_SIZE[scalar]) - 1;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name}: expected an integer 0..${max}`);
  }
  if (scalar === "u8") out.writeUInt8(value, offset);
  else if (scalar === "u16") out.writeUInt16LE(value, offset);
  else if (scalar === "u32") out.writeUInt32LE(value, offset);
  else out.writeBigUInt64LE(BigInt(value), offset);
}

function readScalar(bytes: Buffer, offset: number, scalar: Scalar): number | string {
  switch (scalar) {
    case "u8":
      return bytes.readUInt8(offset);
    case "u16":
      return bytes.readUInt16LE(offset);
    case "u32":
      return bytes.readUInt32LE(offset);
    case "hex8":
      return bytes.subarray(offset, offset + 8).toString("hex");
    case "u64": {
      const value = bytes.readBigUInt64LE(offset);
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new HashValueError(`a 64-bit count is out of range: ${value}`);
      return Number(value);
    }
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function asciiBytes(value: string, what: string): Buffer {
  if (!PRINTABLE_ASCII.test(value)) throw new RangeError(`${what}: only printable ASCII can be written`);
  return Buffer.from(value, "latin1");
}

/** An ASCII string, NUL-terminated, optionally padded with NULs to a fixed size (the CPUID brand string's 48 bytes). */
function text(paddedSize?: number): ValueCodec<string> {
  return {
    encode(value) {
      const bytes = asciiBytes(value, "text field");
      const size = Math.max(bytes.length + 1, paddedSize ?? 0);
      const out = Buffer.alloc(size);
      bytes.copy(out);
      return out;
    },
    decode(bytes) {
      const end = bytes.indexOf(0);
      if (end < 0) throw new HashValueError("the string has no NUL terminator");
      if (bytes.subarray(end).some((b) => b !== 0)) throw new HashValueError("bytes after the string's NUL terminator");
      return bytes.subarray(0, end).toString("latin1");
    },
  };
}

/** The system disk as the storage stack names it: `serial|model|vendor`, each as the device reports it (spaces kept). */
export interface DiskIdentity {
  readonly serialNumber: string;
  readonly model: string;
  readonly vendor: string;
}

/** Type 7 carries the identity without a terminator, type 28 (DiskSerialNumber) with one. */
function diskIdentity(terminated: boolean): ValueCodec<DiskIdentity> {
  return {
    encode(value) {
      for (const part of [value.serialNumber, value.model, value.vendor]) {
        if (part.includes("|")) throw new RangeError("disk identity parts cannot contain '|'");
      }
      const bytes = asciiBytes(`${value.serialNumber}|${value.model}|${value.vendor}`, "disk identity");
      return terminated ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
    },
    decode(bytes) {
      let body = bytes;
      if (terminated) {
        if (bytes.at(-1) !== 0) throw new HashValueError("the disk identity has no NUL terminator");
        body = bytes.subarray(0, -1);
      }
      const parts = body.toString("latin1").split("|");
      if (parts.length !== 3) throw new HashValueError("expected serial|model|vendor");
      const [serialNumber = "", model = "", vendor = ""] = parts;
      return { serialNumber, model, vendor };
    },
  };
}

/** One network adapter: interface index, MAC address, and the bus it sits on ("PCI", "USB", "BTH", "VMBUS"). */
export interface NetworkAdapter {
  readonly index: number;
  /** `aa:bb:cc:dd:ee:ff`, lower case. */
  readonly mac: string;
  readonly bus: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** u32 index, 6-byte MAC, u32 byte length of the bus name, bus name in UTF-16LE with its NUL. */
const networkAdapter: ValueCodec<NetworkAdapter> = {
  encode(value) {
    if (!MAC.test(value.mac)) throw new RangeError(`MAC address '${value.mac}' is not aa:bb:cc:dd:ee:ff`);
    asciiBytes(value.bus, "adapter bus");
    const name = Buffer.from(`${value.bus}\0`, "utf16le");
    const head = Buffer.alloc(14);
    head.writeUInt32LE(value.index, 0);
    Buffer.from(value.mac.replaceAll(":", ""), "hex").copy(head, 4);
    head.writeUInt32LE(name.length, 10);
    return Buffer.concat([head, name]);
  },
  decode(bytes) {
    if (bytes.length < 14) throw new HashValueError(`expected at least 14 bytes, found ${bytes.length}`);
    const nameLength = bytes.readUInt32LE(10);
    if (nameLength !== bytes.length - 14 || nameLength % 2 !== 0 || nameLength < 2) {
      throw new HashValueError("the adapter's bus name length does not match the record");
    }
    const name = bytes.subarray(14).toString("utf16le");
    if (!name.endsWith("\0")) throw new HashValueError("the adapter's bus name has no NUL terminator");
    const mac = [...bytes.subarray(4, 10)].map((b) => b.toString(16).padStart(2, "0")).join(":");
    return { index: bytes.readUInt32LE(0), mac, bus: name.slice(0, -1) };
  },
};

/** Raw bytes of a fixed or bounded size, shown as lower-case hex. */
function hexBytes(size: { exact?: number; max?: number }): ValueCodec<string> {
  const check = (length: number) => {
    if (size.exact !== undefined && length !== size.exact) throw new HashValueError(`expected ${size.exact} bytes, found ${length}`);
    if (size.max !== undefined && length > size.max) throw new HashValueError(`expected at most ${size.max} bytes, found ${length}`);
    if (length === 0) throw new HashValueError("empty value");
  };
  return {
    encode(value) {
      if (!/^([0-9a-f]{2})+$/i.test(value)) throw new RangeError("expected hex digits");
      const bytes = Buffer.from(value, "hex");
      check(bytes.length);
      return bytes;
    },
    decode(bytes) {
      check(bytes.length);
      return bytes.toString("hex");
    },
  };
}

/**
 * EkPubHash: u32 0, u16 1, u32 digest size, then SHA-256 of the EK public record's value (verified on the
 * public samples: the digest equals SHA-256 of the type-25 bytes).
 */
const ekPubHash: ValueCodec<string> = {
  encode(value) {
    if (!/^[0-9a-f]{64}$/i.test(value)) throw new RangeError("EkPubHash: expected a SHA-256 digest in hex");
    const head = Buffer.alloc(10);
    head.writeUInt16LE(1, 4);
    head.writeUInt32LE(32, 6);
    return Buffer.concat([head, Buffer.from(value, "hex")]);
  },
  decode(bytes) {
    if (bytes.length < 10) throw new HashValueError(`expected at least 10 bytes, found ${bytes.length}`);
    const size = bytes.readUInt32LE(6);
    if (size !== bytes.length - 10 || size === 0) throw new HashValueError("the digest size does not match the record");
    return bytes.subarray(10).toString("hex");
  },
};

/** The SMBIOS UUID: 16 bytes as SMBIOS stores them (first three fields little-endian), shown as Windows shows it. */
const smbiosUuid: ValueCodec<string> = {
  encode(value) {
    const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(value);
    if (!m) throw new RangeError(`'${value}' is not a UUID`);
    const le = (hex: string) => Buffer.from(hex, "hex").reverse();
    return Buffer.concat([le(m[1]!), le(m[2]!), le(m[3]!), Buffer.from(m[4]! + m[5]!, "hex")]);
  },
  decode(bytes) {
    if (bytes.length !== 16) throw new HashValueError(`expected 16 bytes, found ${bytes.length}`);
    const le = (start: number, end: number) => Buffer.from(bytes.subarray(start, end)).reverse().toString("hex");
    const hex = bytes.toString("hex");
    return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

const osVersion = struct([
  ["minorVersion", "u16"],
  ["majorVersion", "u16"],
  ["revision", "u16"],
  ["build", "u16"],
  // Both public samples repeat the version; what distinguishes the copies is unknown.
  ["minorVersion2", "u16"],
  ["majorVersion2", "u16"],
  ["revision2", "u16"],
  ["build2", "u16"],
  ["unidentified", "hex8"],
] as const);

const processorTopology = struct([
  // PROCESSOR_ARCHITECTURE_*: 9 AMD64, 12 ARM64.
  ["architecture", "u16"],
  ["packages", "u16"],
  ["cores", "u16"],
  ["logicalProcessors", "u16"],
  ["unidentified1", "u16"],
  ["unidentified2", "u16"],
] as const);

const memory = struct([
  ["totalGb", "u64"],
  ["maxCapacityGb", "u64"],
  ["slots", "u16"],
  ["populatedSlots", "u16"],
  ["unidentified", "u8"],
] as const);

const diskSize = struct([
  ["sizeGb", "u64"],
  // STORAGE_BUS_TYPE: 10 SAS (Hyper-V's synthetic disk), 11 SATA, 13 MMC (eMMC), 17 NVMe.
  ["busType", "u16"],
  ["unidentified1", "u8"],
  ["unidentified2", "u8"],
] as const);

const display = struct([
  ["widthMm", "u16"],
  ["heightMm", "u16"],
  ["horizontalPixels", "u16"],
  ["verticalPixels", "u16"],
  // D3DKMDT_VIDEO_OUTPUT_TECHNOLOGY: 0x80000000 internal panel, 0xFFFFFFFF uninitialized (virtual display).
  ["outputTechnology", "u32"],
] as const);

const displaySizeCm = struct([
  ["widthCm", "u16"],
  ["heightCm", "u16"],
] as const);

const chassis = struct([
  // SMBIOS chassis type: 3 desktop, 9 laptop, 10 notebook, 31 convertible.
  ["chassisType", "u8"],
  // POWER_PLATFORM_ROLE: 1 desktop, 2 mobile, 8 slate.
  ["platformRole", "u8"],
  // 1 on the virtual machine sample, 0 on the physical one.
  ["virtualMachine", "u8"],
  ["unidentified", "u16"],
] as const);

export type OsVersion = ReturnType<typeof osVersion.decode>;
export type ProcessorTopology = ReturnType<typeof processorTopology.decode>;
export type MemoryInfo = ReturnType<typeof memory.decode>;
export type DiskSize = ReturnType<typeof diskSize.decode>;
export type DisplayInfo = ReturnType<typeof display.decode>;
export type DisplaySizeCm = ReturnType<typeof displaySizeCm.decode>;
export type ChassisInfo = ReturnType<typeof chassis.decode>;

/** The fields of a hardware hash, typed; every one is optional (a decoded hash holds what it holds). */
export interface HardwareHashFields {
  readonly osVersion?: OsVersion;
  readonly processorTopology?: ProcessorTopology;
  readonly memory?: MemoryInfo;
  readonly processorManufacturer?: string;
  readonly processorModel?: string;
  readonly diskSize?: DiskSize;
  readonly diskDevice?: DiskIdentity;
  readonly networkAdapters?: readonly NetworkAdapter[];
  readonly display?: DisplayInfo;
  readonly displaySizeCm?: DisplaySizeCm;
  readonly chassis?: ChassisInfo;
  /** `TPM-Version:2.0 -Level:0-Revision:1.59-VendorID:'IFX '-Firmware:<v1>.<v2>` (decimal TPM_PT_FIRMWARE_VERSION_1/2). */
  readonly tpmVersion?: string;
  /** The RSA EK's public modulus, hex. */
  readonly ekPublic?: string;
  /** SHA-256 of {@link ekPublic}'s bytes, hex. */
  readonly ekPubHash?: string;
  readonly smbiosUuid?: string;
  readonly smbiosSystemSerialNumber?: string;
  readonly smbiosSystemManufacturer?: string;
  readonly smbiosBiosVendor?: string;
  readonly smbiosSystemProductName?: string;
  readonly smbiosSkuNumber?: string;
  readonly smbiosSystemFamily?: string;
  readonly smbiosSystemVersion?: string;
  readonly smbiosBaseboardManufacturer?: string;
  readonly smbiosBaseboardProduct?: string;
  readonly smbiosBaseboardVersion?: string;
  /** The OA3 product key ID (13 digits). */
  readonly productKeyId?: string;
  /** The product key part number, e.g. `[TH]X19-99481`. */
  readonly productKeyPartNumber?: string;
  readonly diskSerialNumber?: DiskIdentity;
}

/** One known record type. */
export interface HashFieldSpec {
  readonly type: number;
  /** The name oa3tool reports (critical fields) or a descriptive one. */
  readonly name: string;
  readonly key: keyof HardwareHashFields;
  readonly codec: ValueCodec<unknown>;
  /** True for the one record type that repeats (one record per network adapter). */
  readonly repeated?: boolean;
}

function spec<K extends keyof HardwareHashFields>(
  type: number,
  name: string,
  key: K,
  codec: ValueCodec<NonNullable<HardwareHashFields[K]> extends readonly (infer E)[] ? E : NonNullable<HardwareHashFields[K]>>,
  repeated = false,
): HashFieldSpec {
  return { type, name, key, codec, ...(repeated ? { repeated } : {}) };
}

/** Every known record type, in the order the public samples carry them (the order the encoder writes). */
export const HASH_FIELDS: readonly HashFieldSpec[] = Object.freeze([
  spec(1, "OsVersion", "osVersion", osVersion),
  spec(2, "ProcessorTopology", "processorTopology", processorTopology),
  spec(5, "Memory", "memory", memory),
  spec(3, "ProcessorManufacturer", "processorManufacturer", text()),
  spec(4, "ProcessorModel", "processorModel", text(48)),
  spec(6, "DiskSize", "diskSize", diskSize),
  spec(7, "DiskDevice", "diskDevice", diskIdentity(false)),
  spec(8, "MacAddress", "networkAdapters", networkAdapter, true),
  spec(9, "Display", "display", display),
  spec(27, "DisplaySize", "displaySizeCm", displaySizeCm),
  spec(10, "Chassis", "chassis", chassis),
  spec(13, "TpmVersion", "tpmVersion", text()),
  spec(25, "EkPub", "ekPublic", hexBytes({ max: 1024 })),
  spec(11, "EkPubHash", "ekPubHash", ekPubHash),
  spec(12, "SmbiosUuid", "smbiosUuid", smbiosUuid),
  spec(14, "SmbiosSystemSerialNumber", "smbiosSystemSerialNumber", text()),
  spec(15, "SmbiosSystemManufacturer", "smbiosSystemManufacturer", text()),
  // 16 and 23 are inferred: both samples repeat the manufacturer in 16, and HP's blank system version is in 23.
  spec(16, "SmbiosBiosVendor", "smbiosBiosVendor", text()),
  spec(17, "SmbiosSystemProductName", "smbiosSystemProductName", text()),
  spec(18, "SmbiosSkuNumber", "smbiosSkuNumber", text()),
  spec(19, "SmbiosSystemFamily", "smbiosSystemFamily", text()),
  spec(23, "SmbiosSystemVersion", "smbiosSystemVersion", text()),
  spec(20, "SmbiosBaseboardManufacturer", "smbiosBaseboardManufacturer", text()),
  spec(21, "SmbiosBaseboardProduct", "smbiosBaseboardProduct", text()),
  spec(22, "SmbiosBaseboardVersion", "smbiosBaseboardVersion", text()),
  spec(24, "ProductKeyId", "productKeyId", text()),
  spec(26, "ProductKeyPkPn", "productKeyPartNumber", text()),
  spec(28, "DiskSerialNumber", "diskSerialNumber", diskIdentity(true)),
]);

const BY_TYPE = new Map(HASH_FIELDS.map((field) => [field.type, field]));

/** The spec of a record type, or undefined for a type this table does not know. */
export function hashFieldSpec(type: number): HashFieldSpec | undefined {
  return BY_TYPE.get(type);
}
