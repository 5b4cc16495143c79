/**
 * The embedded services of a fleet run, in their own thread so that devices and services use separate
 * cores. Posts `{type: "ready", url, ca}` once listening; closes on "stop".
 */
import { parentPort, workerData } from "node:worker_threads";
import { startServices } from "../attestation-service/index.js";
import { loadTlsTrust } from "../certs/index.js";
import { deploymentServiceMount } from "../deployment-service/index.js";

/** What the runner hands the services thread. */
export interface ServicesWorkerData {
  readonly home: string;
  readonly db: string;
  /** Database of the deployment service (default: its SQLite file under the home). */
  readonly deploymentDb?: string;
  readonly vendorFaults: readonly string[];
}

/** scrypt cost of the fleet users' password hashes in the embedded directory. */
const FLEET_PASSWORD_COST = { N: 1 << 12, r: 8, p: 1 };

/** Messages the services thread posts. */
export type ServicesWorkerMessage =
  | { type: "ready"; url: string; ca: string; adminToken: string }
  | { type: "failed"; message: string }
  | { type: "closed" };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("services-worker must run in a worker thread");
  const data = workerData as ServicesWorkerData;
  try {
    const services = await startServices({
      home: data.home,
      port: 0,
      db: data.db,
      vendorFaults: [...data.vendorFaults],
      // Fleet users sign in at the rate devices boot: a cheaper password hash than a production directory's.
      extraServices: [deploymentServiceMount({ db: data.deploymentDb, passwordCost: FLEET_PASSWORD_COST })],
    });
    port.on("message", (message: unknown) => {
      if (message !== "stop") return;
      // process.exit in a worker ends only this thread, whatever handles (pools, timers) are still open.
      void services.close().finally(() => {
        port.postMessage({ type: "closed" } satisfies ServicesWorkerMessage);
        process.exit(0);
      });
    });
    port.postMessage({ type: "ready", url: services.url, ca: await loadTlsTrust(data.home), adminToken: services.adminToken } satisfies ServicesWorkerMessage);
  } catch (error) {
    port.postMessage({ type: "failed", message: error instanceof Error ? error.message : String(error) } satisfies ServicesWorkerMessage);
  }
}

await main();
