/**
 * The description of one virtual device: everything Windows would read from its firmware and hardware
 * (SMBIOS, CPU, memory, disk, network adapters, display), the Windows it ships with, its OA3 product key
 * and which TPM it has. It is the JSON document of a device directory; {@link parseDeviceDescription}
 * checks a loaded one field by field.
 */
import { DeviceError } from "./device-error.js";

/** The format of the description file this version writes and reads. */
export const DEVICE_FORMAT_VERSION = 1;

/** The device's TPM: its kind, and for every kind but `none` the emulator vendor it was made by. */
export type DeviceTpm =
  | { readonly kind: "tpm20" | "tpm12" | "virtual"; readonly vendor: string }
  | { readonly kind: "none" };

export interface DeviceDescription {
  readonly formatVersion: typeof DEVICE_FORMAT_VERSION;
  /** The generation seed, hex: the same seed, model and vendor give the same device (and the same EK). */
  readonly seed: string;
  /** The catalogue model id. */
  readonly model: string;
  readonly smbios: {
    readonly manufacturer: string;
    readonly productName: string;
    readonly family: string;
    readonly version: string;
    readonly serialNumber: string;
    readonly sku: string;
    /** The system UUID as Windows shows it. */
    readonly uuid: string;
    readonly biosVendor: string;
    readonly baseboard: { readonly manufacturer: string; readonly product: string; readonly version: string };
  };
  readonly chassis: { readonly type: number; readonly platformRole: number; readonly virtualMachine: boolean };
  readonly cpu: {
    readonly vendor: string;
    readonly brand: string;
    readonly architecture: number;
    readonly packages: number;
    readonly cores: number;
    readonly logicalProcessors: number;
  };
  readonly memory: { readonly totalGb: number; readonly maxCapacityGb: number; readonly slots: number; readonly populatedSlots: number };
  /** The system disk (the hash names one disk). */
  readonly disk: { readonly vendor: string; readonly model: string; readonly serialNumber: string; readonly sizeGb: number; readonly busType: number };
  readonly nics: readonly { readonly index: number; readonly mac: string; readonly bus: string }[];
  readonly display: {
    readonly widthMm: number;
    readonly heightMm: number;
    readonly horizontalPixels: number;
    readonly verticalPixels: number;
    readonly outputTechnology: number;
  };
  readonly os: {
    readonly edition: string;
    readonly editionId: string;
    readonly major: number;
    readonly minor: number;
    readonly build: number;
    readonly revision: number;
  };
  /** The OA3 product key in firmware (absent on virtual machines): 13-digit key ID and part number. */
  readonly productKey?: { readonly id: string; readonly partNumber: string };
  readonly tpm: DeviceTpm;
}

type Json = Record<string, unknown>;

/** Reads one JSON object field by field, naming the path of the first bad one. */
class Reader {
  constructor(
    private readonly value: Json,
    private readonly path: string,
  ) {}

  static root(value: unknown): Reader {
    if (!isObject(value)) throw corrupt("", "expected a JSON object");
    return new Reader(value, "");
  }

  private where(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  object(key: string): Reader {
    const v = this.value[key];
    if (!isObject(v)) throw corrupt(this.where(key), "expected an object");
    return new Reader(v, this.where(key));
  }

  optionalObject(key: string): Reader | undefined {
    return this.value[key] === undefined ? undefined : this.object(key);
  }

  array(key: string, max: number): Reader[] {
    const v = this.value[key];
    if (!Array.isArray(v) || v.length > max) throw corrupt(this.where(key), `expected an array of at most ${max} objects`);
    return v.map((item, i) => {
      if (!isObject(item)) throw corrupt(`${this.where(key)}[${i}]`, "expected an object");
      return new Reader(item, `${this.where(key)}[${i}]`);
    });
  }

  string(key: string, pattern: RegExp = PRINTABLE): string {
    const v = this.value[key];
    if (typeof v !== "string" || v.length > 256 || !pattern.test(v)) throw corrupt(this.where(key), `expected a string matching ${pattern}`);
    return v;
  }

  int(key: string, min: number, max: number): number {
    const v = this.value[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw corrupt(this.where(key), `expected an integer ${min}..${max}`);
    }
    return v;
  }

  boolean(key: string): boolean {
    const v = this.value[key];
    if (typeof v !== "boolean") throw corrupt(this.where(key), "expected true or false");
    return v;
  }
}

/** What the hash can carry: printable ASCII (the hash's strings are ANSI). */
const PRINTABLE = /^[\x20-\x7e]*$/;
const NON_EMPTY = /^[\x20-\x7e]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const SEED = /^([0-9a-f]{2}){16,64}$/;
const NO_PIPE = /^[\x20-\x7b\x7d\x7e]*$/;
const U16 = 0xffff;
const U32 = 0xffffffff;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function corrupt(path: string, detail: string): DeviceError {
  return new DeviceError("DEVICE_DESCRIPTION_CORRUPT", `device description${path === "" ? "" : ` field ${path}`}: ${detail}`);
}

function readTpm(r: Reader): DeviceTpm {
  const kind = r.string("kind", /^(tpm20|tpm12|virtual|none)$/) as DeviceTpm["kind"];
  return kind === "none" ? { kind } : { kind, vendor: r.string("vendor", /^[A-Z]{2,8}$/) };
}

/** Checks a parsed description; a missing or mistyped field is DEVICE_DESCRIPTION_CORRUPT naming the field. */
export function parseDeviceDescription(value: unknown): DeviceDescription {
  const r = Reader.root(value);
  const version = r.int("formatVersion", 0, Number.MAX_SAFE_INTEGER);
  if (version !== DEVICE_FORMAT_VERSION) {
    throw new DeviceError("DEVICE_DESCRIPTION_VERSION", `device description format ${version}; this version reads ${DEVICE_FORMAT_VERSION}`);
  }
  const smbios = r.object("smbios");
  const baseboard = smbios.object("baseboard");
  const chassis = r.object("chassis");
  const cpu = r.object("cpu");
  const memory = r.object("memory");
  const disk = r.object("disk");
  const display = r.object("display");
  const os = r.object("os");
  const productKey = r.optionalObject("productKey");
  return {
    formatVersion: DEVICE_FORMAT_VERSION,
    seed: r.string("seed", SEED),
    model: r.string("model", NON_EMPTY),
    smbios: {
      manufacturer: smbios.string("manufacturer"),
      productName: smbios.string("productName"),
      family: smbios.string("family"),
      version: smbios.string("version"),
      serialNumber: smbios.string("serialNumber"),
      sku: smbios.string("sku"),
      uuid: smbios.string("uuid", UUID),
      biosVendor: smbios.string("biosVendor"),
      baseboard: {
        manufacturer: baseboard.string("manufacturer"),
        product: baseboard.string("product"),
        version: baseboard.string("version"),
      },
    },
    chassis: { type: chassis.int("type", 1, 0xff), platformRole: chassis.int("platformRole", 0, 0xff), virtualMachine: chassis.boolean("virtualMachine") },
    cpu: {
      vendor: cpu.string("vendor", NON_EMPTY),
      brand: cpu.string("brand", /^[\x20-\x7e]{1,47}$/),
      architecture: cpu.int("architecture", 0, U16),
      packages: cpu.int("packages", 1, U16),
      cores: cpu.int("cores", 1, U16),
      logicalProcessors: cpu.int("logicalProcessors", 1, U16),
    },
    memory: {
      totalGb: memory.int("totalGb", 1, 1 << 20),
      maxCapacityGb: memory.int("maxCapacityGb", 1, 1 << 20),
      slots: memory.int("slots", 1, U16),
      populatedSlots: memory.int("populatedSlots", 1, U16),
    },
    disk: {
      vendor: disk.string("vendor", NO_PIPE),
      model: disk.string("model", NO_PIPE),
      serialNumber: disk.string("serialNumber", NO_PIPE),
      sizeGb: disk.int("sizeGb", 1, 1 << 30),
      busType: disk.int("busType", 0, U16),
    },
    nics: r.array("nics", 16).map((nic) => ({
      index: nic.int("index", 0, U32),
      mac: nic.string("mac", MAC),
      bus: nic.string("bus", /^[A-Z0-9]{1,16}$/),
    })),
    display: {
      widthMm: display.int("widthMm", 0, U16),
      heightMm: display.int("heightMm", 0, U16),
      horizontalPixels: display.int("horizontalPixels", 1, U16),
      verticalPixels: display.int("verticalPixels", 1, U16),
      outputTechnology: display.int("outputTechnology", 0, U32),
    },
    os: {
      edition: os.string("edition", NON_EMPTY),
      editionId: os.string("editionId", /^[A-Za-z]{1,64}$/),
      major: os.int("major", 0, U16),
      minor: os.int("minor", 0, U16),
      build: os.int("build", 0, U16),
      revision: os.int("revision", 0, U16),
    },
    ...(productKey === undefined
      ? {}
      : { productKey: { id: productKey.string("id", /^\d{13}$/), partNumber: productKey.string("partNumber", NON_EMPTY) } }),
    tpm: readTpm(r.object("tpm")),
  };
}
