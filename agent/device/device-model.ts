/**
 * Generates a device from a seed, a catalogue model and a TPM vendor. Every choice draws from its own
 * labelled stream (HMAC-SHA256 of the seed), so the same inputs always give the same device, and adding a
 * field later does not shift the values of the others.
 */
import { createHmac } from "node:crypto";
import { DEVICE_FORMAT_VERSION, type DeviceDescription, type DeviceTpm } from "./device-description.js";
import { DeviceError } from "./device-error.js";
import { HARDWARE_CATALOGUE, findHardwareModel, modelsForVendor, type HardwareModel } from "./hardware-catalogue.js";

/** What {@link generateDevice} takes. */
export interface GenerateDeviceOptions {
  /** 16 to 64 bytes. */
  readonly seed: Uint8Array;
  /** TPM vendor code (IFX, STM, NTC, INTC, AMD, QCOM). */
  readonly vendor: string;
  /** Catalogue model id; when absent, an ordinary model that fits the vendor is picked by the seed. */
  readonly model?: string;
}

/** `length` bytes of the stream named `label`. */
export function deriveBytes(seed: Uint8Array, label: string, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < length; counter++) {
    blocks.push(createHmac("sha256", seed).update(`${label}\0${counter}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, length);
}

class Draws {
  constructor(private readonly seed: Uint8Array) {}

  bytes(label: string, length: number): Buffer {
    return deriveBytes(this.seed, label, length);
  }

  /** A number in [0, n) from the stream `label` (modulo bias is irrelevant at these sizes). */
  below(label: string, n: number): number {
    return this.bytes(label, 4).readUInt32BE(0) % n;
  }

  pick<T>(label: string, options: readonly T[]): T {
    if (options.length === 0) throw new RangeError(`nothing to pick for ${label}`);
    return options[this.below(label, options.length)]!;
  }

  /** Fills a pattern: `#` digit, `@` upper-case letter, `?` digit or upper-case letter, others literal. */
  pattern(label: string, pattern: string): string {
    const bytes = this.bytes(label, pattern.length);
    const DIGITS = "0123456789";
    const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return [...pattern]
      .map((c, i) => {
        const b = bytes[i]!;
        if (c === "#") return DIGITS[b % 10];
        if (c === "@") return LETTERS[b % 26];
        if (c === "?") return (DIGITS + LETTERS)[b % 36];
        return c;
      })
      .join("");
  }

  /** A random (version 4) UUID. */
  uuid(label: string): string {
    const b = this.bytes(label, 16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const hex = b.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function chooseModel(options: GenerateDeviceOptions, draws: Draws): HardwareModel {
  if (options.model !== undefined) {
    const model = findHardwareModel(options.model);
    if (model === undefined) {
      throw new DeviceError(
        "DEVICE_MODEL_UNKNOWN",
        `unknown device model '${options.model}' (known: ${HARDWARE_CATALOGUE.map((m) => m.id).join(", ")})`,
      );
    }
    return model;
  }
  const fitting = modelsForVendor(options.vendor);
  if (fitting.length === 0) {
    throw new DeviceError("DEVICE_VENDOR_UNSUPPORTED", `no device model has a TPM from '${options.vendor}'`);
  }
  return draws.pick("model", fitting);
}

function tpmOf(model: HardwareModel, vendor: string): DeviceTpm {
  const code = vendor.toUpperCase();
  switch (model.tpm.kind) {
    case "none":
      return { kind: "none" };
    case "virtual":
      return { kind: "virtual", vendor: code };
    default:
      if (!model.tpm.vendors.includes(code)) {
        throw new DeviceError(
          "DEVICE_VENDOR_UNSUPPORTED",
          `model ${model.id} has a TPM from ${model.tpm.vendors.join(", ")}, not '${vendor}'`,
        );
      }
      return { kind: model.tpm.kind, vendor: code };
  }
}

/** The MAC of the `i`-th adapter: the model's OUI and three bytes of its own stream. */
function macAddress(draws: Draws, oui: string, i: number): string {
  return `${oui}:${[...draws.bytes(`nic ${i} mac`, 3)].map((b) => b.toString(16).padStart(2, "0")).join(":")}`;
}

/** Generates the device; DEVICE_SEED_INVALID, DEVICE_MODEL_UNKNOWN and DEVICE_VENDOR_UNSUPPORTED are thrown. */
export function generateDevice(options: GenerateDeviceOptions): DeviceDescription {
  if (options.seed.length < 16 || options.seed.length > 64) {
    throw new DeviceError("DEVICE_SEED_INVALID", `a device seed is 16 to 64 bytes, not ${options.seed.length}`);
  }
  const draws = new Draws(options.seed);
  const model = chooseModel(options, draws);
  const tpm = tpmOf(model, options.vendor);
  const cpu = draws.pick("cpu", model.cpu.options);
  const totalGb = draws.pick("memory", model.memory.optionsGb);
  const disk = draws.pick("disk", model.disk.options);
  const firstIndex = 2 + draws.below("nic index", 16);
  const { smbios } = model;
  return {
    formatVersion: DEVICE_FORMAT_VERSION,
    seed: Buffer.from(options.seed).toString("hex"),
    model: model.id,
    smbios: {
      manufacturer: smbios.manufacturer,
      productName: smbios.productName,
      family: smbios.family,
      version: smbios.version,
      serialNumber: draws.pattern("serial", smbios.serialFormat),
      sku: draws.pick("sku", smbios.skus),
      uuid: draws.uuid("uuid"),
      biosVendor: smbios.biosVendor,
      baseboard: { ...smbios.baseboard },
    },
    chassis: { ...model.chassis },
    cpu: { vendor: model.cpu.vendor, brand: cpu.brand, architecture: model.cpu.architecture, packages: 1, cores: cpu.cores, logicalProcessors: cpu.logicalProcessors },
    memory: {
      totalGb,
      maxCapacityGb: model.memory.maxCapacityGb,
      slots: model.memory.slots,
      populatedSlots: Math.min(model.memory.slots, totalGb >= 32 && model.memory.slots > 1 ? 2 : 1),
    },
    disk: { vendor: disk.vendor, model: disk.model, serialNumber: draws.pattern("disk serial", model.disk.serialFormat), sizeGb: disk.sizeGb, busType: disk.busType },
    nics: model.nics.map((nic, i) => ({ index: firstIndex + i, mac: macAddress(draws, nic.oui, i), bus: nic.bus })),
    display: { ...model.display },
    os: { ...draws.pick("os", model.os) },
    ...(model.productKeyPartNumber === undefined
      ? {}
      : {
          productKey: {
            id: draws.pattern("product key id", "3############"),
            partNumber: draws.pattern("product key part number", model.productKeyPartNumber),
          },
        }),
    tpm,
  };
}

/** The seed of the device's TPM: its own stream, so the device seed alone fixes the TPM's EK. */
export function tpmSeedOf(device: DeviceDescription): Buffer {
  return deriveBytes(Buffer.from(device.seed, "hex"), "tpm", 32);
}
