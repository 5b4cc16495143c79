/**
 * The device's hardware hash, built as Windows builds it: the inventory from the device description, the
 * TPM fields read from the TPM itself through the TPM client — its fixed properties (TPM_PT_*, Part 2
 * §6.13) for the version record, and the RSA EK created from the default template (EK profile L-1) for the
 * EK public and EkPubHash records (reference enrollment §3.1).
 */
import { ekPubHashOf, encodeHardwareHash, type HardwareHashFields } from "../../protocol/index.js";
import { TPM_ALG, TPM_RH, TpmError, ekTemplateRsa } from "../../tpm2/index.js";
import { readTpmIdentity } from "../attestation/tpm-properties.js";
import { TpmConnectionError } from "../tpm/tpm-connection.js";
import type { TpmDevice } from "../tpm/tpm-device.js";
import type { DeviceDescription } from "./device-description.js";
import { loadDeviceDirectory, openDeviceTpm } from "./device-directory.js";

/** What the TPM contributes to the hash. */
export interface TpmHashFields {
  readonly tpmVersion?: string;
  readonly ekPublic?: string;
  readonly ekPubHash?: string;
}

/** TPM_PT_MANUFACTURER as the four characters the version record shows (NULs as spaces: 'IFX '). */
function vendorId(manufacturer: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(manufacturer >>> 0);
  return bytes.toString("latin1").replaceAll("\0", " ");
}

/** TPM_PT_REVISION is the spec revision × 100: 159 → "1.59". */
function specRevision(revision: number): string {
  return `${Math.floor(revision / 100)}.${String(revision % 100).padStart(2, "0")}`;
}

/**
 * Reads the TPM's part of the hash. A part that answers as a TPM 1.2 gets a 1.2 version record and no EK
 * (Windows attests only TPM 2.0 EKs); a TPM that cannot create the RSA EK gets no EK records.
 */
export async function readTpmHashFields(tpm: TpmDevice, describedVendor: string): Promise<TpmHashFields> {
  let identity;
  try {
    identity = await readTpmIdentity(tpm);
  } catch (error) {
    if (error instanceof TpmConnectionError && error.code === "NOT_TPM2") {
      return { tpmVersion: `TPM-Version:1.2 -Level:2-Revision:1.16-VendorID:'${describedVendor.padEnd(4).slice(0, 4)}'` };
    }
    throw error;
  }
  const p = identity.properties;
  const tpmVersion =
    `TPM-Version:${p.family} -Level:${p.specLevel}-Revision:${specRevision(p.specRevision)}` +
    `-VendorID:'${vendorId(p.manufacturer)}'-Firmware:${p.firmwareVersion1 >>> 0}.${p.firmwareVersion2 >>> 0}`;
  let modulus: Uint8Array;
  try {
    const ek = await tpm.createPrimary(TPM_RH.ENDORSEMENT, ekTemplateRsa());
    await tpm.flushQuietly(ek.handle);
    if (ek.public.type !== TPM_ALG.RSA) return { tpmVersion };
    modulus = ek.public.unique as Uint8Array;
  } catch (error) {
    if (error instanceof TpmError) return { tpmVersion };
    throw error;
  }
  return { tpmVersion, ekPublic: Buffer.from(modulus).toString("hex"), ekPubHash: ekPubHashOf(modulus) };
}

/** The hash's fields from the description and what the TPM reported. */
export function hardwareHashFields(device: DeviceDescription, tpm: TpmHashFields): HardwareHashFields {
  const os = device.os;
  const { smbios, disk, display } = device;
  const diskIdentity = { serialNumber: disk.serialNumber, model: disk.model, vendor: disk.vendor };
  return {
    osVersion: {
      minorVersion: os.minor,
      majorVersion: os.major,
      revision: os.revision,
      build: os.build,
      minorVersion2: os.minor,
      majorVersion2: os.major,
      revision2: os.revision,
      build2: os.build,
      unidentified: "0000000000000000",
    },
    processorTopology: {
      architecture: device.cpu.architecture,
      packages: device.cpu.packages,
      cores: device.cpu.cores,
      logicalProcessors: device.cpu.logicalProcessors,
      // both public samples carry 1 and 0 here
      unidentified1: 1,
      unidentified2: 0,
    },
    memory: { ...device.memory, unidentified: 3 },
    processorManufacturer: device.cpu.vendor,
    processorModel: device.cpu.brand,
    diskSize: { sizeGb: disk.sizeGb, busType: disk.busType, unidentified1: device.chassis.virtualMachine ? 0xff : 0, unidentified2: 1 },
    diskDevice: diskIdentity,
    networkAdapters: device.nics,
    display: { ...display },
    displaySizeCm: { widthCm: Math.floor(display.widthMm / 10), heightCm: Math.floor(display.heightMm / 10) },
    chassis: { chassisType: device.chassis.type, platformRole: device.chassis.platformRole, virtualMachine: device.chassis.virtualMachine ? 1 : 0, unidentified: 0 },
    ...tpm,
    smbiosUuid: smbios.uuid,
    smbiosSystemSerialNumber: smbios.serialNumber,
    smbiosSystemManufacturer: smbios.manufacturer,
    smbiosBiosVendor: smbios.biosVendor,
    smbiosSystemProductName: smbios.productName,
    smbiosSkuNumber: smbios.sku,
    smbiosSystemFamily: smbios.family,
    smbiosSystemVersion: smbios.version,
    smbiosBaseboardManufacturer: smbios.baseboard.manufacturer,
    smbiosBaseboardProduct: smbios.baseboard.product,
    smbiosBaseboardVersion: smbios.baseboard.version,
    ...(device.productKey === undefined ? {} : { productKeyId: device.productKey.id, productKeyPartNumber: device.productKey.partNumber }),
    diskSerialNumber: diskIdentity,
  };
}

/** The hash of a device with its TPM (undefined for a device without one). */
export async function buildHardwareHash(device: DeviceDescription, tpm: TpmDevice | undefined): Promise<Buffer> {
  const tpmFields = tpm === undefined || device.tpm.kind === "none" ? {} : await readTpmHashFields(tpm, device.tpm.vendor);
  return encodeHardwareHash(hardwareHashFields(device, tpmFields));
}

/** The hash of the device in a directory: loads it, opens its TPM, builds, closes. */
export async function hardwareHashOfDirectory(dir: string): Promise<{ description: DeviceDescription; hash: Buffer }> {
  const device = await loadDeviceDirectory(dir);
  const tpm = openDeviceTpm(device);
  try {
    return { description: device.description, hash: await buildHardwareHash(device.description, tpm) };
  } finally {
    await tpm?.close();
  }
}
