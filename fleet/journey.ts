/**
 * One virtual device's journey in a fleet: its TPM from the factory cache, then what the mode asks of it
 * (attestation, for now), reported as a {@link DeviceRecord}.
 */
import { createHash } from "node:crypto";
import { AttestationFailure, CertificateCache, TpmDevice, attestDevice } from "../agent/index.js";
import { createHttpsAgent } from "../lib/index.js";
import { TpmFactory } from "./factory.js";
import type { DeviceRecord } from "./report.js";
import type { DevicePlan } from "./scenario.js";

/** What every device of a run shares. */
export interface JourneyContext {
  readonly home: string;
  readonly serverUrl: string;
  /** PEM of the services' TLS CA. */
  readonly ca: string;
  readonly mode: "attest";
  readonly ek: "rsa" | "ecc";
  readonly ak: "rsa" | "ecc";
  /** Backoff of the devices' retries (fleets and tests compress time); the agent's defaults otherwise. */
  readonly retry?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
}

/**
 * The EK a device uses: the run's choice, except that a device given an RSA-key fault (`roca-ek`) attests with
 * its RSA EK, so the fault is what the service sees.
 */
export function ekKindOf(plan: DevicePlan, runChoice: "rsa" | "ecc"): "rsa" | "ecc" {
  return plan.faults.some((fault) => fault === "roca-ek") ? "rsa" : runChoice;
}

/** A device's fixed AK `unique` when the run makes RSA AKs (its factory derives that key ahead). */
export function rsaAkUniqueOf(plan: DevicePlan, ak: "rsa" | "ecc"): string | undefined {
  return ak === "rsa" ? createHash("sha256").update(`ak-unique:${plan.seed}`).digest().subarray(0, 20).toString("hex") : undefined;
}

/** Runs journeys with one factory and one connection pool. */
export interface Journeys {
  run(plan: DevicePlan, runStartEpochMs: number): Promise<DeviceRecord>;
  close(): Promise<void>;
}

/**
 * Prepares a worker's journeys: one keep-alive pool to the services for all its devices, and one certificate
 * cache, so the worker downloads each CA certificate and verifies each AIK chain once.
 */
export function prepareJourneys(context: JourneyContext): Promise<Journeys> {
  const factory = new TpmFactory(context.home);
  const dispatcher = createHttpsAgent({ ca: context.ca, connections: 64 });
  const certificateCache = new CertificateCache();
  const run = async (plan: DevicePlan, runStartEpochMs: number): Promise<DeviceRecord> => {
    const startMs = Date.now() - runStartEpochMs;
    const base = { index: plan.index, vendor: plan.vendor, faults: plan.faults, startMs };
    try {
      const ek = ekKindOf(plan, context.ek);
      const akUnique = rsaAkUniqueOf(plan, context.ak);
      const emulator = await factory.open({
        vendor: plan.vendor,
        seed: plan.seed,
        faults: plan.faults,
        eks: [ek],
        ...(akUnique === undefined ? {} : { rsaAkUnique: akUnique }),
      });
      const outcome = await attestDevice({
        tpm: TpmDevice.fromEmulator(emulator),
        serverUrl: context.serverUrl,
        dispatcher,
        certificateCache,
        ek,
        ak: context.ak,
        ...(akUnique === undefined ? {} : { akUnique: Buffer.from(akUnique, "hex") }),
        ...(context.retry === undefined ? {} : { retry: context.retry }),
      });
      return {
        ...base,
        ok: outcome.ok,
        ...(outcome.ok ? {} : { code: outcome.code, hresult: outcome.hresult }),
        steps: outcome.steps.map((step) => ({ name: step.name, status: step.status, ms: step.ms, code: step.code })),
        endMs: Date.now() - runStartEpochMs,
      };
    } catch (error) {
      const code = error instanceof AttestationFailure ? error.code : "DEVICE_CRASHED";
      return { ...base, ok: false, code, steps: [], endMs: Date.now() - runStartEpochMs };
    }
  };
  return Promise.resolve({ run, close: () => dispatcher.close() });
}
