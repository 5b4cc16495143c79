/**
 * What a device remembers between OOBE runs: how far it got (a pre-provisioned device is resealed by the technician
 * and finished later by its user), its identity from the join, and its enrollment. Kept in the device directory
 * (written atomically) or in memory for fleets.
 */
import path from "node:path";
import { readFileIfExists, writeFileAtomic } from "../../lib/index.js";
import { OobeStepFailure } from "./oobe-step.js";
import type { DeploymentMode } from "./run-oobe.js";

/** File of the state in a device directory. */
export const OOBE_STATE_FILE = "oobe-state.json";
const FORMAT_VERSION = 1;

/**
 * new: nothing done yet; provisioned: the technician's Provision succeeded; resealed: the technician resealed it
 * (the user flow comes next); completed: a flow reached its end.
 */
export type OobeStage = "new" | "provisioned" | "resealed" | "completed";

const STAGES: readonly OobeStage[] = ["new", "provisioned", "resealed", "completed"];
const MODES: readonly DeploymentMode[] = ["user-driven", "self-deploying", "pre-provisioning"];

/** The remembered state. */
export interface OobeState {
  readonly stage: OobeStage;
  readonly mode: DeploymentMode | null;
  readonly deviceName: string | null;
  /** Directory device id from the join. */
  readonly deviceId: string | null;
  /** Enrollment id from MDM enrollment. */
  readonly enrollmentId: string | null;
  /** When the technician's Provision ended and how long it took. */
  readonly provisionedAt: number | null;
  readonly provisioningMs: number | null;
}

export const NEW_OOBE_STATE: OobeState = Object.freeze({
  stage: "new",
  mode: null,
  deviceName: null,
  deviceId: null,
  enrollmentId: null,
  provisionedAt: null,
  provisioningMs: null,
});

/** Where a device keeps its state. */
export interface OobeStateStore {
  load(): Promise<OobeState>;
  save(state: OobeState): Promise<void>;
}

/** State in memory (fleets keep thousands of devices without touching the disk). */
export function memoryOobeStateStore(initial: OobeState = NEW_OOBE_STATE): OobeStateStore {
  let state = initial;
  return {
    load: () => Promise.resolve(state),
    save: (next) => {
      state = next;
      return Promise.resolve();
    },
  };
}

/** State in `<dir>/oobe-state.json`; absent means a new device. */
export function fileOobeStateStore(dir: string): OobeStateStore {
  const file = path.join(dir, OOBE_STATE_FILE);
  return {
    async load() {
      const text = await readFileIfExists(file);
      return text === undefined ? NEW_OOBE_STATE : parseOobeState(text.toString("utf8"), file);
    },
    save: (state) => writeFileAtomic(file, `${JSON.stringify({ version: FORMAT_VERSION, ...state }, null, 2)}\n`, { mode: 0o600 }),
  };
}

/** Reads a saved state. @throws OobeStepFailure DEVICE_STATE_INVALID with the field at fault. */
export function parseOobeState(text: string, source = OOBE_STATE_FILE): OobeState {
  const invalid = (why: string) => new OobeStepFailure("DEVICE_STATE_INVALID", `${source}: ${why}`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw invalid(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw invalid("not a JSON object");
  const fields = document as Record<string, unknown>;
  if (fields["version"] !== FORMAT_VERSION) throw invalid(`unsupported version ${JSON.stringify(fields["version"])}`);
  const oneOf = <T extends string>(key: string, allowed: readonly T[], nullable: boolean): T | null => {
    const value = fields[key];
    if (value === null && nullable) return null;
    if (typeof value !== "string" || !allowed.includes(value as T)) throw invalid(`${key} must be one of ${allowed.join(", ")}`);
    return value as T;
  };
  const text_ = (key: string): string | null => {
    const value = fields[key];
    if (value === null || value === undefined) return null;
    if (typeof value !== "string" || value.length > 1024) throw invalid(`${key} must be a string`);
    return value;
  };
  const count = (key: string): number | null => {
    const value = fields[key];
    if (value === null || value === undefined) return null;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw invalid(`${key} must be a non-negative integer`);
    return value;
  };
  return {
    stage: oneOf("stage", STAGES, false)!,
    mode: oneOf("mode", MODES, true),
    deviceName: text_("deviceName"),
    deviceId: text_("deviceId"),
    enrollmentId: text_("enrollmentId"),
    provisionedAt: count("provisionedAt"),
    provisioningMs: count("provisioningMs"),
  };
}
