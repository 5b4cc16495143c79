/**
 * One virtual device's journey in a fleet: its TPM from the factory cache, then what its mode asks of it
 * (attestation alone, or OOBE to MDM enrollment), reported as a {@link DeviceRecord}.
 */
import { AttestationFailure, CertificateCache, TpmDevice, attestDevice } from "../agent/index.js";
import { createHttpsAgent } from "../lib/index.js";
import type { FleetUser } from "./deployment-setup.js";
import { loadEnrollmentKeyPool } from "./enrollment-keys.js";
import { TpmFactory } from "./factory.js";
import { OobeJourneys } from "./oobe-journey.js";
import type { DeviceRecord } from "./report.js";
import { ekKindOf, rsaAkUniqueOf } from "./device-order.js";
import type { DevicePlan } from "./scenario.js";

/** What every device of a run shares. */
export interface JourneyContext {
  readonly home: string;
  readonly serverUrl: string;
  /** PEM of the services' TLS CA. */
  readonly ca: string;
  readonly ek: "rsa" | "ecc";
  readonly ak: "rsa" | "ecc";
  /** Backoff of the devices' retries (fleets and tests compress time); the agent's defaults otherwise. */
  readonly retry?: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Runs with OOBE modes: the deployment service's admin token (CSV import) and the users devices sign in as. */
  readonly deployment?: { readonly adminToken: string; readonly users: readonly FleetUser[] };
}

/** Runs journeys with one factory and one connection pool. */
export interface Journeys {
  /** Registers the devices of OOBE modes with the deployment service (before they run). */
  register(plans: readonly DevicePlan[]): Promise<void>;
  run(plan: DevicePlan, runStartEpochMs: number): Promise<DeviceRecord>;
  close(): Promise<void>;
}

/**
 * Prepares a worker's journeys: one keep-alive pool to the services for all its devices, and one certificate
 * cache, so the worker downloads each CA certificate and verifies each AIK chain once.
 */
export async function prepareJourneys(context: JourneyContext): Promise<Journeys> {
  const factory = new TpmFactory(context.home);
  const dispatcher = createHttpsAgent({ ca: context.ca, connections: 64 });
  const certificateCache = new CertificateCache();
  const oobe =
    context.deployment === undefined
      ? undefined
      : new OobeJourneys(
          { ...context, adminToken: context.deployment.adminToken, users: context.deployment.users },
          factory,
          dispatcher,
          certificateCache,
          await loadEnrollmentKeyPool(context.home),
        );
  const attest = async (plan: DevicePlan, runStartEpochMs: number): Promise<DeviceRecord> => {
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
  const register = async (plans: readonly DevicePlan[]) => {
    const deploying = plans.filter((plan) => plan.mode !== "attest");
    if (deploying.length === 0) return;
    if (oobe === undefined) throw new Error("devices in OOBE modes need the deployment context");
    await oobe.register(deploying);
  };
  const run = (plan: DevicePlan, runStartEpochMs: number) =>
    plan.mode === "attest" || oobe === undefined ? attest(plan, runStartEpochMs) : oobe.run(plan, runStartEpochMs);
  return { register, run, close: () => dispatcher.close() };
}
