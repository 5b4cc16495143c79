/**
 * A fleet worker thread: runs its share of the devices with bounded concurrency and posts one record per
 * device. A device that fails (or throws) is a record, never the end of the worker.
 */
import { parentPort, workerData } from "node:worker_threads";
import { prepareJourneys, type JourneyContext } from "./journey.js";
import { CSV_IMPORT_ROWS } from "./oobe-journey.js";
import type { DeviceRecord } from "./report.js";
import type { DevicePlan } from "./scenario.js";

/** What the runner hands a worker. */
export interface DeviceWorkerData {
  readonly plans: readonly DevicePlan[];
  readonly concurrency: number;
  readonly context: JourneyContext;
  /** performance.timeOrigin-relative start of the run in the main thread, as epoch ms. */
  readonly runStartEpochMs: number;
}

/** Messages a worker posts. */
export type DeviceWorkerMessage = { type: "device"; record: DeviceRecord } | { type: "done" };

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("device-worker must run in a worker thread");
  const data = workerData as DeviceWorkerData;
  let stopping = false;
  port.on("message", (message: unknown) => {
    if (message === "stop") stopping = true;
  });
  const journeys = await prepareJourneys(data.context);
  // Devices are registered a CSV file at a time, each file just before its devices boot.
  for (let start = 0; start < data.plans.length && !stopping; start += CSV_IMPORT_ROWS) {
    const queue = data.plans.slice(start, start + CSV_IMPORT_ROWS);
    await journeys.register(queue);
    const lane = async () => {
      for (let plan = queue.shift(); plan !== undefined && !stopping; plan = queue.shift()) {
        const record = await journeys.run(plan, data.runStartEpochMs);
        port.postMessage({ type: "device", record } satisfies DeviceWorkerMessage);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, data.concurrency) }, lane));
  }
  await journeys.close();
  port.postMessage({ type: "done" } satisfies DeviceWorkerMessage);
}

await main();
