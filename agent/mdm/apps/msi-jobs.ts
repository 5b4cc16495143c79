/**
 * Runs the MSI jobs the server Exec'd (EnterpriseDesktopAppManagement CSP, DownloadInstall): each job still at
 * Status 10 (Initialized) downloads its content, checks the FileHash (SHA-256), installs for the scenario's time
 * and ends as the CSP documents, so that the server's next Get reads it back:
 * 20 download in progress → 30 download failed (LastError the HRESULT) | 40 download completed → 50 enforcement in
 * progress → 60 enforcement failed (LastError HRESULT_FROM_WIN32 of the exit code) | 70 enforcement completed
 * (LastError 0, or ERROR_SUCCESS_REBOOT_REQUIRED's HRESULT when a reboot is required; ProductVersion set).
 */
import type { Dispatcher } from "undici";
import type { Clock } from "../../../lib/index.js";
import type { CspTree } from "../csp/csp-tree.js";
import { parseMsiInstallJob, MSI_STATUS_INITIALIZED } from "../csp/exec-handlers.js";
import { exitCodeOf, hresultFromWin32, scenarioOf, type AppOutcome, type AppScenarios } from "./app-scenario.js";
import { downloadVerified } from "./content-download.js";

/** EnterpriseDesktopAppManagement MSI Status values. */
export const MSI_STATUS = Object.freeze({
  initialized: 10,
  downloadInProgress: 20,
  downloadFailed: 30,
  downloadCompleted: 40,
  enforcementInProgress: 50,
  enforcementFailed: 60,
  enforcementCompleted: 70,
});

/** What became of one app install or script run. */
export interface AppRunReport {
  readonly kind: "msi" | "win32" | "script" | "edition";
  /** The product code, Win32 app id, script name or edition. */
  readonly key: string;
  readonly outcome: AppOutcome;
  readonly exitCode: number;
  /** The signed HRESULT the device reports (0 on success). */
  readonly lastError: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** A step of an install, for progress displays. */
export interface AppProgress {
  readonly kind: AppRunReport["kind"];
  readonly key: string;
  readonly step: "downloading" | "installing" | "done";
}

/** What running apps needs. */
export interface AppRunOptions {
  /** Fetches content (HTTPS; with the enrollment's client certificate when the server asks for it). */
  readonly dispatcher: Dispatcher;
  readonly scenarios?: AppScenarios;
  readonly clock: Clock;
  /** Lets `ms` of install time pass on the device clock (tests advance a ManualClock; no sleeps). */
  readonly elapse: (ms: number) => Promise<void>;
  readonly onProgress?: (progress: AppProgress) => void;
}

const DOWNLOAD_INSTALL = "/DownloadInstall";

/** Runs every MSI job still Initialized in `tree`, in the order they were Exec'd. */
export async function runMsiJobs(tree: CspTree, options: AppRunOptions): Promise<AppRunReport[]> {
  const reports: AppRunReport[] = [];
  for (const record of tree.execRecords()) {
    if (record.behaviour !== "msi-download-install" || !record.locUri.endsWith(DOWNLOAD_INSTALL)) continue;
    const product = record.locUri.slice(0, -DOWNLOAD_INSTALL.length);
    if (tree.read(`${product}/Status`)?.value !== MSI_STATUS_INITIALIZED) continue;
    const job = parseMsiInstallJob(record.data);
    if (job === undefined) continue;
    const setStatus = async (status: number, lastError?: number) => {
      await tree.setDeviceValue(`${product}/Status`, "int", String(status));
      if (lastError !== undefined) await tree.setDeviceValue(`${product}/LastError`, "int", String(lastError));
    };
    const startedAt = options.clock.now();
    options.onProgress?.({ kind: "msi", key: job.id, step: "downloading" });
    await setStatus(MSI_STATUS.downloadInProgress);
    const download = await downloadVerified(job.contentUrls[0]!, job.fileHash, options.dispatcher);
    if (!download.ok) {
      await setStatus(MSI_STATUS.downloadFailed, download.hresult);
      await tree.setDeviceValue(`${product}/LastErrorDesc`, "chr", download.detail);
      reports.push({ kind: "msi", key: job.id, outcome: "failure", exitCode: download.hresult, lastError: download.hresult, startedAt, endedAt: options.clock.now() });
      options.onProgress?.({ kind: "msi", key: job.id, step: "done" });
      continue;
    }
    await setStatus(MSI_STATUS.downloadCompleted);
    const scenario = scenarioOf(options.scenarios, job.id);
    options.onProgress?.({ kind: "msi", key: job.id, step: "installing" });
    await setStatus(MSI_STATUS.enforcementInProgress);
    await options.elapse(scenario.installMs);
    const exitCode = exitCodeOf(scenario);
    const lastError = scenario.outcome === "success" ? 0 : hresultFromWin32(exitCode);
    if (scenario.outcome === "failure") {
      await setStatus(MSI_STATUS.enforcementFailed, lastError);
    } else {
      await tree.setDeviceValue(`${product}/ProductVersion`, "chr", job.version);
      await setStatus(MSI_STATUS.enforcementCompleted, lastError);
    }
    reports.push({ kind: "msi", key: job.id, outcome: scenario.outcome, exitCode, lastError, startedAt, endedAt: options.clock.now() });
    options.onProgress?.({ kind: "msi", key: job.id, step: "done" });
  }
  return reports;
}
