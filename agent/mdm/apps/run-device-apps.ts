/**
 * What a device does after a management session: applies the edition upgrade and runs the MSI jobs the session
 * recorded, then checks in with the management extension for Win32 apps and scripts, both over HTTPS with the
 * enrollment's client certificate. The payload ids the extension already ran are kept in a file beside the enrollment.
 */
import type { Clock } from "../../../lib/index.js";
import { createHttpsAgent, readFileIfExists, writeFileAtomic } from "../../../lib/index.js";
import type { CspTree } from "../csp/csp-tree.js";
import type { AppScenarios } from "./app-scenario.js";
import { applyEditionUpgrade } from "./edition-upgrade.js";
import { runManagementExtension } from "./management-extension-client.js";
import { runMsiJobs, type AppProgress, type AppRunReport } from "./msi-jobs.js";

/** How a device's apps behave on this run. */
export interface DeviceAppOptions {
  readonly scenarios?: AppScenarios;
  /** Lets install time pass (default a timer; tests advance a ManualClock). */
  readonly elapse?: (ms: number) => Promise<void>;
  readonly onProgress?: (progress: AppProgress) => void;
}

/** What {@link runDeviceApps} works with. */
export interface RunDeviceAppsOptions extends DeviceAppOptions {
  readonly tree: CspTree;
  readonly deviceId: string;
  readonly dmServerUrl: string;
  readonly clientCertificate: string;
  readonly privateKey: string;
  /** PEM trust anchors of the server's TLS (absent: the system's). */
  readonly ca?: string;
  readonly clock: Clock;
  /** The JSON file of payload ids the extension already ran. */
  readonly doneFile: string;
}

const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function loadDone(file: string): Promise<Set<string>> {
  const text = await readFileIfExists(file);
  if (text === undefined) return new Set();
  try {
    const done = (JSON.parse(text.toString("utf8")) as { done?: unknown }).done;
    return new Set(Array.isArray(done) ? done.filter((id): id is string => typeof id === "string") : []);
  } catch {
    return new Set();
  }
}

/** Runs the device's pending MSI jobs and its management extension's new Win32 apps and scripts. */
export async function runDeviceApps(options: RunDeviceAppsOptions): Promise<AppRunReport[]> {
  const dispatcher = createHttpsAgent({ ...(options.ca === undefined ? {} : { ca: options.ca }), cert: options.clientCertificate, key: options.privateKey });
  const common = {
    dispatcher,
    clock: options.clock,
    elapse: options.elapse ?? timer,
    ...(options.scenarios === undefined ? {} : { scenarios: options.scenarios }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  try {
    const reports = [...(await applyEditionUpgrade(options.tree, options.clock)), ...(await runMsiJobs(options.tree, common))];
    const done = await loadDone(options.doneFile);
    const before = done.size;
    reports.push(...(await runManagementExtension({ ...common, baseUrl: new URL("/", options.dmServerUrl).toString(), deviceId: options.deviceId, done })));
    if (done.size !== before) await writeFileAtomic(options.doneFile, `${JSON.stringify({ done: [...done] })}\n`);
    return reports;
  } finally {
    await dispatcher.close();
  }
}
