/**
 * A device directory: `device.json` (the device description) and, when the device has a TPM, `tpm/` (the
 * TPM's state, made by the emulator's factory). The TPM is made first and the description written last,
 * atomically, so a directory with a description always has its TPM.
 */
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from "../../lib/index.js";
import { manufactureTpm, parseTpmFault, type TpmFault } from "../../tpm-emulator/index.js";
import { TpmDevice } from "../tpm/tpm-device.js";
import { parseDeviceDescription, type DeviceDescription } from "./device-description.js";
import { DeviceError } from "./device-error.js";
import { generateDevice, tpmSeedOf } from "./device-model.js";

/** The description's file name in a device directory. */
export const DEVICE_FILE = "device.json";
/** The TPM state directory's name in a device directory. */
export const DEVICE_TPM_DIR = "tpm";
/** Larger description files are refused before parsing. */
const MAX_DESCRIPTION_BYTES = 64 * 1024;

/** What {@link createDeviceDirectory} takes. */
export interface CreateDeviceOptions {
  readonly dir: string;
  /** Home holding the vendor PKIs that issue the TPM's EK certificates. */
  readonly home: string;
  readonly vendor: string;
  readonly model?: string;
  /** 16 to 64 bytes; random when absent. */
  readonly seed?: Uint8Array;
  /** Issue date of the EK certificates (the injectable clock). */
  readonly now?: Date;
  /** TPM faults for security testing (`roca-ek`, `no-ek-cert`, … as `apsim tpm manufacture --fault`). */
  readonly tpmFaults?: readonly string[];
}

/** A device on disk. */
export interface DeviceDirectory {
  readonly dir: string;
  readonly description: DeviceDescription;
}

/** The fault that makes an emulated TPM look like the device's part. */
function faultsOf(description: DeviceDescription): TpmFault[] {
  if (description.tpm.kind === "tpm12") return [parseTpmFault("tpm12")];
  if (description.tpm.kind === "virtual") return [parseTpmFault("virtual")];
  return [];
}

/** Generates a device, manufactures its TPM into `dir/tpm` and writes `dir/device.json`. */
export async function createDeviceDirectory(options: CreateDeviceOptions): Promise<DeviceDirectory> {
  const file = path.join(options.dir, DEVICE_FILE);
  if ((await readFileIfExists(file)) !== undefined) {
    throw new DeviceError("DEVICE_EXISTS", `${options.dir} already holds a device (${DEVICE_FILE})`);
  }
  const description = generateDevice({
    seed: options.seed ?? randomBytes(32),
    vendor: options.vendor,
    ...(options.model === undefined ? {} : { model: options.model }),
  });
  await ensurePrivateDir(options.dir);
  if (description.tpm.kind !== "none") {
    await manufactureTpm({
      vendor: description.tpm.vendor,
      stateDir: path.join(options.dir, DEVICE_TPM_DIR),
      home: options.home,
      seed: tpmSeedOf(description),
      faults: [...faultsOf(description), ...(options.tpmFaults ?? []).map((fault) => parseTpmFault(fault))],
      ...(options.now === undefined ? {} : { now: options.now }),
    });
  }
  await writeFileAtomic(file, `${JSON.stringify(description, null, 2)}\n`);
  return { dir: options.dir, description };
}

/** Reads and checks a device directory: DEVICE_NOT_FOUND, DEVICE_DESCRIPTION_CORRUPT/_VERSION or DEVICE_TPM_MISSING. */
export async function loadDeviceDirectory(dir: string): Promise<DeviceDirectory> {
  const file = path.join(dir, DEVICE_FILE);
  const bytes = await readFileIfExists(file);
  if (bytes === undefined) throw new DeviceError("DEVICE_NOT_FOUND", `no device in ${dir} (${DEVICE_FILE} is missing)`);
  if (bytes.length > MAX_DESCRIPTION_BYTES) {
    throw new DeviceError("DEVICE_DESCRIPTION_CORRUPT", `${file} is larger than ${MAX_DESCRIPTION_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new DeviceError("DEVICE_DESCRIPTION_CORRUPT", `${file} is not valid JSON`, { cause: error });
  }
  let description: DeviceDescription;
  try {
    description = parseDeviceDescription(json);
  } catch (error) {
    if (error instanceof DeviceError) throw new DeviceError(error.code, `${file}: ${error.message}`, { cause: error });
    throw error;
  }
  if (description.tpm.kind !== "none" && !(await isDirectory(path.join(dir, DEVICE_TPM_DIR)))) {
    throw new DeviceError("DEVICE_TPM_MISSING", `${dir} describes a ${description.tpm.kind} TPM but has no ${DEVICE_TPM_DIR}/ state`);
  }
  return { dir, description };
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The device's TPM through the agent's TPM client, or undefined when the device has none. */
export function openDeviceTpm(device: DeviceDirectory): TpmDevice | undefined {
  if (device.description.tpm.kind === "none") return undefined;
  return TpmDevice.open({ kind: "state", dir: path.join(device.dir, DEVICE_TPM_DIR) });
}
