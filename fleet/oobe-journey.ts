/**
 * The Autopilot journeys of a fleet worker: its devices registered by CSV import (at most 500 rows per file, as an
 * administrator uploads them), then each device's OOBE in its mode to MDM enrollment — pre-provisioned devices
 * through the technician's part and then the user's, on the same state.
 */
import type { Dispatcher } from "undici";
import type { CertificateCache} from "../agent/index.js";
import { TpmDevice, buildHardwareHash, generateDevice, memoryOobeStateStore, runDeviceOobe, type DeviceDescription, type DeviceOobeResult } from "../agent/index.js";
import { importCsvAt, type DeploymentAdminClientOptions } from "../deployment-service/index.js";
import { formatAutopilotCsv } from "../protocol/index.js";
import type { TpmEmulator } from "../tpm-emulator/index.js";
import type { FleetUser } from "./deployment-setup.js";
import { FLEET_GROUP_TAGS, type DeviceDeploymentMode } from "./deployment-setup.js";
import { ekKindOf, orderOf, rsaAkUniqueOf } from "./device-order.js";
import { enrollmentKeyOf, type EnrollmentKeyPair } from "./enrollment-keys.js";
import type { TpmFactory } from "./factory.js";
import type { DeviceRecord, DeviceStepRecord } from "./report.js";
import type { DevicePlan } from "./scenario.js";

/** Rows of one CSV import (the documented limit of the Autopilot CSV). */
export const CSV_IMPORT_ROWS = 500;

/** What the OOBE journeys of a worker share. */
export interface OobeJourneyContext {
  readonly serverUrl: string;
  readonly ca: string;
  /** The deployment service's admin token (CSV import). */
  readonly adminToken: string;
  readonly users: readonly FleetUser[];
  readonly ek: "rsa" | "ecc";
  readonly ak: "rsa" | "ecc";
  readonly retry?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
}

/** A device with its hardware and TPM, registered (or refused) before its OOBE. */
interface PreparedDevice {
  readonly description: DeviceDescription;
  readonly emulator: TpmEmulator;
  /** The hardware hash registered, which the device's OOBE presents again. */
  readonly hardwareHash: Buffer;
  /** Why registration refused the device: its OOBE is not run. */
  readonly refused?: { readonly code: string; readonly message: string };
}

/** The journeys of one worker. */
export class OobeJourneys {
  private readonly prepared = new Map<number, PreparedDevice>();

  constructor(
    private readonly context: OobeJourneyContext,
    private readonly factory: TpmFactory,
    private readonly dispatcher: Dispatcher,
    private readonly certificateCache: CertificateCache,
    private readonly keyPool: readonly EnrollmentKeyPair[],
  ) {}

  /**
   * Makes the devices and registers them by CSV import, 500 rows a file. A row the service refuses makes that
   * device fail with the row's code, except DEVICE_ALREADY_REGISTERED (a rerun against the same services).
   */
  async register(plans: readonly DevicePlan[]): Promise<void> {
    const admin: DeploymentAdminClientOptions = { serverUrl: this.context.serverUrl, adminToken: this.context.adminToken, ca: this.context.ca };
    for (let start = 0; start < plans.length; start += CSV_IMPORT_ROWS) {
      const batch = plans.slice(start, start + CSV_IMPORT_ROWS);
      const rows = [];
      for (const plan of batch) {
        const emulator = await this.factory.open(orderOf(plan, this.context.ek, this.context.ak));
        const description = generateDevice({ seed: Buffer.from(plan.seed, "hex"), vendor: plan.vendor });
        const hash = await buildHardwareHash(description, TpmDevice.fromEmulator(emulator));
        this.prepared.set(plan.index, { description, emulator, hardwareHash: hash });
        rows.push({
          serialNumber: description.smbios.serialNumber,
          productId: "",
          hardwareHash: hash.toString("base64"),
          groupTag: FLEET_GROUP_TAGS[plan.mode as DeviceDeploymentMode],
          assignedUser: "",
        });
      }
      const result = await importCsvAt(admin, Buffer.from(formatAutopilotCsv(rows), "latin1"));
      for (const error of result.errors) {
        // `row` counts the header as line 1
        const plan = batch[error.row - 2];
        if (plan === undefined || error.code === "DEVICE_ALREADY_REGISTERED") continue;
        const device = this.prepared.get(plan.index)!;
        this.prepared.set(plan.index, { ...device, refused: { code: error.code, message: error.message } });
      }
    }
  }

  /** Runs a registered device's OOBE and reports it. */
  async run(plan: DevicePlan, runStartEpochMs: number): Promise<DeviceRecord> {
    const startMs = Date.now() - runStartEpochMs;
    const base = { index: plan.index, vendor: plan.vendor, faults: plan.faults, startMs };
    const device = this.prepared.get(plan.index);
    this.prepared.delete(plan.index);
    if (device === undefined) return { ...base, ok: false, code: "DEVICE_NOT_REGISTERED", steps: [], endMs: Date.now() - runStartEpochMs };
    if (device.refused !== undefined) {
      return { ...base, ok: false, code: device.refused.code, steps: [{ name: "registration", status: "failed", ms: 0, code: device.refused.code }], endMs: Date.now() - runStartEpochMs };
    }
    const tpm = TpmDevice.fromEmulator(device.emulator);
    const state = memoryOobeStateStore();
    const akUnique = rsaAkUniqueOf(plan, this.context.ak);
    const user = this.context.users[plan.index % this.context.users.length];
    const run = (technician: boolean): Promise<DeviceOobeResult> =>
      runDeviceOobe({
        description: device.description,
        tpm,
        hardwareHash: device.hardwareHash,
        serverUrl: this.context.serverUrl,
        dispatcher: this.dispatcher,
        state,
        technician,
        ...(user === undefined || (plan.mode !== "user-driven" && technician) ? {} : { user }),
        enrollmentKeySource: () => Promise.resolve(enrollmentKeyOf(this.keyPool, plan.index)),
        attestation: {
          ek: ekKindOf(plan, this.context.ek),
          ak: this.context.ak,
          certificateCache: this.certificateCache,
          ...(akUnique === undefined ? {} : { akUnique: Buffer.from(akUnique, "hex") }),
          ...(this.context.retry === undefined ? {} : { retry: this.context.retry }),
        },
      });
    const steps: DeviceStepRecord[] = [];
    const keep = (result: DeviceOobeResult, prefix: string) =>
      steps.push(...result.steps.map((step) => ({ name: `${prefix}${step.name}`, status: step.status, ms: step.ms, code: step.code })));
    let result = await run(plan.mode === "pre-provisioning");
    keep(result, plan.mode === "pre-provisioning" ? "technician." : "");
    if (plan.mode === "pre-provisioning" && result.ok) {
      result = await run(false);
      keep(result, "user.");
    }
    return {
      ...base,
      ok: result.ok,
      ...(result.ok ? {} : { code: result.code, hresult: result.hresult }),
      steps,
      endMs: Date.now() - runStartEpochMs,
    };
  }
}
