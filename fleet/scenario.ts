/**
 * A fleet scenario: how many devices, which vendors in which proportions, which faults, which slice of the
 * fleet this process runs. Every device is a pure function of (seed, index), so a rerun, a shard on another
 * machine, or a resumed run makes exactly the same devices.
 */
import { createHash } from "node:crypto";

/** Why a scenario was refused; `code` is stable. */
export class FleetScenarioError extends Error {
  readonly code = "FLEET_SCENARIO_INVALID";

  constructor(message: string) {
    super(message);
    this.name = "FleetScenarioError";
  }
}

/** Default fleet seed (documented in README): fixed, so reruns reuse the factory cache. */
export const DEFAULT_FLEET_SEED = "a0505111000000000000000000000001";

/** Default vendor weights: discrete and firmware TPM vendors as a typical enterprise mix. */
export const DEFAULT_VENDOR_WEIGHTS = "IFX:40,STM:20,NTC:10,INTC:20,AMD:10";

/** One vendor and its weight. */
export interface VendorWeight {
  readonly vendor: string;
  readonly weight: number;
}

/** A TPM fault given to a share of the devices (`tpm:roca-ek=2%`). */
export interface TpmFaultShare {
  readonly fault: string;
  /** Fraction of the fleet, 0..1. */
  readonly share: number;
}

/** A vendor endpoint fault (`vendor:INTC=outage`), passed to the embedded services as `INTC=outage`. */
export interface VendorFaultSpec {
  readonly vendor: string;
  readonly fault: string;
}

/** The parsed `--faults` value. */
export interface FleetFaults {
  readonly tpm: readonly TpmFaultShare[];
  readonly vendor: readonly VendorFaultSpec[];
}

/** `--shard I/N`: this process runs the I-th (1-based) of N disjoint slices. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * What a fleet's devices do: attest only, or walk OOBE in one Autopilot mode to MDM enrollment, or a mix of the
 * three modes.
 */
export type FleetMode = "attest" | "self-deploying" | "pre-provisioning" | "user-driven" | "mixed";
export const FLEET_MODES: readonly FleetMode[] = ["attest", "self-deploying", "pre-provisioning", "user-driven", "mixed"];

/** What one device does: a fleet mode other than mixed. */
export type DeviceMode = Exclude<FleetMode, "mixed">;

/** Shares of a mixed fleet: half self-deploying (kiosks, shared devices), a quarter each of the others. */
const MIXED_MODES: readonly { mode: DeviceMode; weight: number }[] = [
  { mode: "self-deploying", weight: 2 },
  { mode: "pre-provisioning", weight: 1 },
  { mode: "user-driven", weight: 1 },
];

/** What one virtual device is made of. */
export interface DevicePlan {
  readonly index: number;
  readonly mode: DeviceMode;
  readonly vendor: string;
  /** 32-byte manufacturing seed, hex. */
  readonly seed: string;
  /** TPM faults of this device (`roca-ek`, `no-ek-cert`, …). */
  readonly faults: readonly string[];
}

const VENDOR_CODE = /^[A-Z]{2,4}$/;
const FAULT_NAME = /^[a-z0-9][a-z0-9-]*(?::[A-Za-z0-9.%-]+)?$/;

/** Parses `IFX:40,STM:20` (weights are relative numbers, not percentages). */
export function parseVendorWeights(text: string): VendorWeight[] {
  const weights = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const [vendor, weight, extra] = part.split(":");
      const code = (vendor ?? "").toUpperCase();
      const value = weight === undefined ? 1 : Number(weight);
      if (extra !== undefined || !VENDOR_CODE.test(code) || !Number.isFinite(value) || value < 0) {
        throw new FleetScenarioError(`bad vendor weight '${part}' (expected VENDOR:WEIGHT, e.g. IFX:40)`);
      }
      return { vendor: code, weight: value };
    });
  if (weights.length === 0 || weights.every((w) => w.weight === 0)) {
    throw new FleetScenarioError("--vendors needs at least one vendor with a positive weight");
  }
  const seen = new Set<string>();
  for (const { vendor } of weights) {
    if (seen.has(vendor)) throw new FleetScenarioError(`vendor ${vendor} appears twice in --vendors`);
    seen.add(vendor);
  }
  return weights;
}

function parseShare(text: string, item: string): number {
  const percent = text.endsWith("%");
  const value = Number(percent ? text.slice(0, -1) : text);
  const share = percent ? value / 100 : value;
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new FleetScenarioError(`bad share in '${item}' (expected 0..1 or 0%..100%)`);
  }
  return share;
}

/**
 * Parses `--faults`: comma-separated items, each `tpm:FAULT=SHARE` (FAULT as in `apsim tpm manufacture
 * --fault`, SHARE as `2%` or `0.02`) or `vendor:CODE=FAULT` (FAULT as in `apsim up --vendor-fault`).
 */
export function parseFleetFaults(text: string | undefined): FleetFaults {
  const tpm: TpmFaultShare[] = [];
  const vendor: VendorFaultSpec[] = [];
  for (const raw of (text ?? "").split(",")) {
    const item = raw.trim();
    if (item.length === 0) continue;
    const colon = item.indexOf(":");
    const equals = item.indexOf("=");
    if (colon < 0 || equals < colon) throw new FleetScenarioError(`bad fault '${item}' (expected tpm:FAULT=SHARE or vendor:CODE=FAULT)`);
    const kind = item.slice(0, colon);
    const left = item.slice(colon + 1, equals);
    const right = item.slice(equals + 1);
    if (kind === "tpm") {
      if (!FAULT_NAME.test(left)) throw new FleetScenarioError(`bad TPM fault name in '${item}'`);
      tpm.push({ fault: left, share: parseShare(right, item) });
    } else if (kind === "vendor") {
      const code = left.toUpperCase();
      if (!VENDOR_CODE.test(code) || right.length === 0) throw new FleetScenarioError(`bad vendor fault '${item}'`);
      vendor.push({ vendor: code, fault: right });
    } else {
      throw new FleetScenarioError(`bad fault '${item}': kind must be tpm or vendor`);
    }
  }
  const total = tpm.reduce((sum, f) => sum + f.share, 0);
  if (total > 1 + 1e-9) throw new FleetScenarioError("TPM fault shares add up to more than 100%");
  return { tpm, vendor };
}

/** Parses `I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string | undefined): Shard {
  if (text === undefined) return { index: 1, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count) {
    throw new FleetScenarioError(`bad shard '${text}' (expected I/N with 1 ≤ I ≤ N)`);
  }
  return { index, count };
}

/** Parses a fleet seed: hex, 1..64 digits. */
export function parseFleetSeed(text: string | undefined): string {
  const seed = (text ?? DEFAULT_FLEET_SEED).toLowerCase();
  if (!/^[0-9a-f]{1,64}$/.test(seed)) throw new FleetScenarioError(`bad seed '${text}' (expected hex)`);
  return seed;
}

function digest(...parts: (string | number)[]): Buffer {
  return createHash("sha256").update(parts.join("\u0000")).digest();
}

/** A uniform number in [0, 1) from (seed, label, index). */
function uniform(seed: string, label: string, index: number): number {
  return digest(seed, label, index).readUInt32BE(0) / 2 ** 32;
}

function pickVendor(weights: readonly VendorWeight[], u: number): string {
  const total = weights.reduce((sum, w) => sum + w.weight, 0);
  let at = u * total;
  for (const { vendor, weight } of weights) {
    if (at < weight) return vendor;
    at -= weight;
  }
  return weights[weights.length - 1]!.vendor;
}

function modeOf(mode: FleetMode, seed: string, index: number): DeviceMode {
  if (mode !== "mixed") return mode;
  const total = MIXED_MODES.reduce((sum, m) => sum + m.weight, 0);
  let at = uniform(seed, "mode", index) * total;
  for (const { mode: candidate, weight } of MIXED_MODES) {
    if (at < weight) return candidate;
    at -= weight;
  }
  return MIXED_MODES[MIXED_MODES.length - 1]!.mode;
}

/**
 * The devices of a fleet (all of them, before sharding). Vendors follow the weights by a seeded draw per
 * device; each TPM fault goes to exactly round(share × devices) devices, chosen by a seeded ranking so that
 * reruns and shards agree; a device gets at most one TPM fault, so every failure has one cause.
 */
export function planFleet(options: {
  devices: number;
  seed: string;
  vendors: readonly VendorWeight[];
  faults: FleetFaults;
  mode?: FleetMode;
}): DevicePlan[] {
  const { devices, seed } = options;
  if (!Number.isInteger(devices) || devices < 0) throw new FleetScenarioError(`bad device count ${devices}`);
  const ranked = Array.from({ length: devices }, (_, index) => index).sort(
    (a, b) => uniform(seed, "fault-rank", a) - uniform(seed, "fault-rank", b) || a - b,
  );
  const faultOf = new Map<number, string>();
  let next = 0;
  for (const { fault, share } of options.faults.tpm) {
    const count = Math.round(share * devices);
    for (let i = 0; i < count && next < ranked.length; i++) faultOf.set(ranked[next++]!, fault);
  }
  return Array.from({ length: devices }, (_, index) => {
    const fault = faultOf.get(index);
    return {
      index,
      mode: modeOf(options.mode ?? "attest", seed, index),
      vendor: pickVendor(options.vendors, uniform(seed, "vendor", index)),
      seed: digest(seed, "tpm-seed", index).toString("hex"),
      faults: fault === undefined ? [] : [fault],
    };
  });
}

/** The devices of one shard: indexes congruent to (I − 1) mod N, so shards interleave and balance vendors. */
export function shardOf<T extends { index: number }>(plans: readonly T[], shard: Shard): T[] {
  return plans.filter((plan) => plan.index % shard.count === shard.index - 1);
}
