/**
 * `runFleet`: many virtual devices at once. The main thread plans the fleet, warms the TPM factory, starts
 * the embedded services in their own thread (unless a server URL is given), spreads the devices over
 * worker threads with bounded concurrency, and folds what they report into the fleet report. One failing
 * device never stops the fleet; an abort stops it cleanly and still reports what finished.
 */
import { availableParallelism } from "node:os";
import { rm } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { findVendor, loadTlsTrust } from "../certs/index.js";
import { ensurePrivateDir, readAdminToken } from "../lib/index.js";
import { TpmFactory, type FactoryStats } from "./factory.js";
import { orderOf } from "./device-order.js";
import type { JourneyContext } from "./journey.js";
import { silentProgress, type FleetProgress } from "./progress.js";
import { publishFirmwareEkCertificates } from "./remote-publication.js";
import { summarizeFleet, type DeviceRecord, type FleetReport } from "./report.js";
import {
  DEFAULT_VENDOR_WEIGHTS,
  parseFleetFaults,
  parseFleetSeed,
  parseShard,
  parseVendorWeights,
  planFleet,
  shardOf,
  type DevicePlan,
  type FleetMode,
} from "./scenario.js";
import { prepareDeployment, type DeviceDeploymentMode } from "./deployment-setup.js";
import { loadEnrollmentKeyPool } from "./enrollment-keys.js";
import type { DeviceWorkerData, DeviceWorkerMessage } from "./device-worker.js";
import type { ServicesWorkerData, ServicesWorkerMessage } from "./services-worker.js";

/** What a fleet run does (the `apsim fleet` flags). */
export interface FleetOptions {
  readonly devices: number;
  readonly home: string;
  /** What the devices do (default attest). */
  readonly mode?: FleetMode;
  /** `IFX:40,STM:20,…` (weights). */
  readonly vendors?: string;
  /** Devices in flight at once, over all workers. */
  readonly concurrency?: number;
  /** `tpm:roca-ek=2%,vendor:INTC=outage`. */
  readonly faults?: string;
  readonly seed?: string;
  /** `I/N`. */
  readonly shard?: string;
  /** Base URL of running services; absent: embedded services start for this run. */
  readonly server?: string;
  /** PEM trust anchors of `server` (default: this home's local TLS CA, right when the server runs from this home). */
  readonly serverCa?: string;
  /**
   * Admin token of `server` (default: env APSIM_ADMIN_TOKEN, then this home's token): firmware TPMs' EK
   * certificates are published there before the devices start.
   */
  readonly adminToken?: string;
  /** Database of the embedded services; absent: a fresh SQLite database for this run. */
  readonly db?: string;
  readonly workers?: number;
  readonly ek?: "rsa" | "ecc";
  readonly ak?: "rsa" | "ecc";
  readonly progress?: FleetProgress;
  readonly signal?: AbortSignal;
  /** Backoff of device retries, ms (first delay; doubled up to 30 × this). Default: the agent's (1 s). */
  readonly retryBaseDelayMs?: number;
}

/** How a run ended. */
export interface FleetResult {
  readonly report: FleetReport;
  readonly records: readonly DeviceRecord[];
  /** True when the run was stopped before every device finished. */
  readonly interrupted: boolean;
  readonly factory: FactoryStats;
  readonly serverUrl: string;
}

async function warmFactory(
  factory: TpmFactory,
  plans: readonly DevicePlan[],
  ek: "rsa" | "ecc",
  ak: "rsa" | "ecc",
  signal?: AbortSignal,
): Promise<void> {
  const queue = [...plans];
  const lane = async () => {
    for (let plan = queue.shift(); plan !== undefined && signal?.aborted !== true; plan = queue.shift()) {
      await factory.stateOf(orderOf(plan, ek, ak));
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
}

/** Running from TypeScript sources (tests, tsx) rather than the build. */
const FROM_SOURCE = import.meta.url.endsWith(".ts");

function workerUrl(name: string): URL {
  return new URL(`./${name}.${FROM_SOURCE ? "ts" : "js"}`, import.meta.url);
}

/**
 * Worker threads from sources (tests, tsx) need tsx's loader registered inside the thread: a loader given on
 * the command line does not reach workers on Node 20.
 */
function startWorker(name: string, workerData: unknown): Worker {
  if (!FROM_SOURCE) return new Worker(workerUrl(name), { workerData });
  const bootstrap =
    `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(workerUrl(name).href)}); })` +
    `.catch((error) => { setImmediate(() => { throw error; }); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

interface RunningServices {
  readonly url: string;
  readonly ca: string;
  readonly adminToken: string;
  stop(): Promise<void>;
}

async function startEmbeddedServices(data: ServicesWorkerData): Promise<RunningServices> {
  const worker = startWorker("services-worker", data);
  const ready = await new Promise<{ url: string; ca: string; adminToken: string }>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`services thread exited (${code}) before it was ready`)));
    worker.on("message", (message: ServicesWorkerMessage) => {
      if (message.type === "ready") resolve(message);
      if (message.type === "failed") reject(new Error(`embedded services failed to start: ${message.message}`));
    });
  });
  worker.removeAllListeners("exit");
  return {
    ...ready,
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once("exit", () => resolve());
        worker.postMessage("stop");
      }),
  };
}

/** Runs a fleet and reports it; see {@link FleetOptions}. */
export async function runFleet(options: FleetOptions): Promise<FleetResult> {
  const seed = parseFleetSeed(options.seed);
  const faults = parseFleetFaults(options.faults);
  const plans = shardOf(
    planFleet({
      devices: options.devices,
      seed,
      vendors: parseVendorWeights(options.vendors ?? DEFAULT_VENDOR_WEIGHTS),
      faults,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    }),
    parseShard(options.shard),
  );
  const deploymentModes = [...new Set(plans.map((plan) => plan.mode).filter((mode): mode is DeviceDeploymentMode => mode !== "attest"))];
  const ek = options.ek ?? "ecc";
  const progress = options.progress ?? silentProgress;
  const factory = new TpmFactory(options.home);

  // A run's own database starts empty and goes with the run; `--db` keeps one.
  const runDb = options.db === undefined ? path.join(options.home, "runs", `fleet-${process.pid}-${Date.now()}.sqlite`) : undefined;
  // The deployment service shares `--db` (its own tables and migration history); a run's own database is a second file.
  const deploymentDb = runDb === undefined ? options.db : runDb.replace(/\.sqlite$/, "-deployment.sqlite");
  if (runDb !== undefined) await ensurePrivateDir(path.dirname(runDb));
  const servicesStarting =
    options.server === undefined
      ? startEmbeddedServices({
          home: options.home,
          db: options.db ?? runDb!,
          ...(deploymentDb === undefined ? {} : { deploymentDb }),
          vendorFaults: faults.vendor.map((f) => `${f.vendor}=${f.fault}`),
        })
      : undefined;
  // Manufacturing overlaps the services' start; a failure of either must not leave the other running.
  const warming = async () => {
    await warmFactory(factory, plans, ek, options.ak ?? "ecc", options.signal);
    if (deploymentModes.length > 0) await loadEnrollmentKeyPool(options.home);
  };
  const [warmed, started] = await Promise.allSettled([warming(), servicesStarting]);
  if (started.status === "rejected") throw started.reason;
  const services = started.value;
  if (warmed.status === "rejected") {
    await services?.stop();
    throw warmed.reason;
  }
  const serverUrl = services?.url ?? options.server!;
  const ca = services?.ca ?? options.serverCa ?? (await loadTlsTrust(options.home));
  const adminToken =
    services?.adminToken ?? options.adminToken ?? (process.env["APSIM_ADMIN_TOKEN"] || undefined) ?? (await readAdminToken(options.home));
  if (options.server !== undefined) {
    const orders = plans.map((plan) => orderOf(plan, ek, options.ak ?? "ecc"));
    if (orders.some((order) => findVendor(order.vendor)?.kind === "firmware")) {
      if (adminToken === undefined) {
        throw new Error("firmware TPMs' EK certificates must be published to --server: give --admin-token or APSIM_ADMIN_TOKEN");
      }
      await publishFirmwareEkCertificates(options.home, factory, orders, { serverUrl: serverUrl, ca, adminToken });
    }
  }
  let deployment: JourneyContext["deployment"];
  if (deploymentModes.length > 0) {
    if (adminToken === undefined) throw new Error("fleets in OOBE modes register their devices: give --admin-token or APSIM_ADMIN_TOKEN");
    try {
      deployment = { adminToken, users: await prepareDeployment({ serverUrl, adminToken, ca }, seed, deploymentModes) };
    } catch (error) {
      await services?.stop();
      throw error;
    }
  }

  const records: DeviceRecord[] = [];
  let failed = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  const runStartEpochMs = Date.now();
  progress.update(0, 0);
  const started0 = performance.now();
  const workerCount = Math.max(1, Math.min(options.workers ?? availableParallelism(), plans.length || 1));
  const concurrency = Math.max(1, options.concurrency ?? 64);
  const context: JourneyContext = {
    home: options.home,
    serverUrl,
    ca,
    ek,
    ak: options.ak ?? "ecc",
    ...(options.retryBaseDelayMs === undefined
      ? {}
      : { retry: { baseDelayMs: options.retryBaseDelayMs, maxDelayMs: 30 * options.retryBaseDelayMs } }),
    ...(deployment === undefined ? {} : { deployment }),
  };
  const workers: Worker[] = [];
  const onAbort = () => {
    for (const worker of workers) worker.postMessage("stop");
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await Promise.all(
      Array.from({ length: workerCount }, (_, w) => {
        const data: DeviceWorkerData = {
          plans: plans.filter((_, i) => i % workerCount === w),
          concurrency: Math.ceil(concurrency / workerCount),
          context,
          runStartEpochMs,
        };
        const worker = startWorker("device-worker", data);
        workers.push(worker);
        if (options.signal?.aborted === true) worker.postMessage("stop");
        return new Promise<void>((resolve, reject) => {
          worker.on("message", (message: DeviceWorkerMessage) => {
            // Idle keep-alive sockets and timers would hold the thread open: done means done.
            if (message.type === "done") void worker.terminate();
            if (message.type !== "device") return;
            records.push(message.record);
            if (!message.record.ok) failed++;
            progress.update(records.length, failed);
          });
          worker.once("error", reject);
          worker.once("exit", () => resolve());
        });
      }),
    );
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    clearInterval(sampler);
    progress.stop();
    await services?.stop();
    for (const db of runDb === undefined ? [] : [runDb, deploymentDb]) {
      if (db !== undefined) await Promise.all(["", "-wal", "-shm"].map((suffix) => rm(db + suffix, { force: true })));
    }
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  records.sort((a, b) => a.index - b.index);
  const durationMs = performance.now() - started0;
  return {
    report: summarizeFleet(records, durationMs, peakRss),
    records,
    interrupted: records.length < plans.length,
    factory: factory.stats,
    serverUrl,
  };
}
