/**
 * The embedded services of a fleet run, in their own thread so that devices and services use separate
 * cores. Posts `{type: "ready", url, ca}` once listening; closes on "stop".
 */
import { parentPort, workerData } from "node:worker_threads";
import { startServices } from "../attestation-service/index.js";
import { loadTlsTrust } from "../certs/index.js";

/** What the runner hands the services thread. */
export interface ServicesWorkerData {
  readonly home: string;
  readonly db: string;
  readonly vendorFaults: readonly string[];
}

/** Messages the services thread posts. */
export type ServicesWorkerMessage =
  | { type: "ready"; url: string; ca: string }
  | { type: "failed"; message: string }
  | { type: "closed" };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("services-worker must run in a worker thread");
  const data = workerData as ServicesWorkerData;
  try {
    const services = await startServices({ home: data.home, port: 0, db: data.db, vendorFaults: [...data.vendorFaults] });
    port.on("message", (message: unknown) => {
      if (message !== "stop") return;
      // process.exit in a worker ends only this thread, whatever handles (pools, timers) are still open.
      void services.close().finally(() => {
        port.postMessage({ type: "closed" } satisfies ServicesWorkerMessage);
        process.exit(0);
      });
    });
    port.postMessage({ type: "ready", url: services.url, ca: await loadTlsTrust(data.home) } satisfies ServicesWorkerMessage);
  } catch (error) {
    port.postMessage({ type: "failed", message: error instanceof Error ? error.message : String(error) } satisfies ServicesWorkerMessage);
  }
}

await main();
