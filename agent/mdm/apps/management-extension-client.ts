/**
 * The device's management extension (protocol/management-extension.ts): fetches the Win32 apps and scripts assigned
 * to the device over mutual TLS, runs each one not yet done (content downloaded and its SHA-256 checked; a script's
 * text checked against its hash), for the scenario's time and outcome, and reports every outcome back. What ran is
 * remembered in `done` (the caller keeps it) so a later check-in runs only what is new. A server without the channel
 * (404) has nothing for the extension.
 */
import { createHash } from "node:crypto";
import { request } from "undici";
import {
  EXTENSION_API_VERSION,
  EXTENSION_ASSIGNMENTS_PATH,
  EXTENSION_LIMITS,
  EXTENSION_RESULTS_PATH,
  ProtocolError,
  parseExtensionAssignments,
  type ExtensionResult,
} from "../../../protocol/index.js";
import { exitCodeOf, scenarioOf } from "./app-scenario.js";
import { HRESULT_BAD_DIGEST, downloadVerified } from "./content-download.js";
import type { AppRunOptions, AppRunReport } from "./msi-jobs.js";

/** What one check-in of the extension needs. */
export interface ManagementExtensionRunOptions extends AppRunOptions {
  /** The service's base URL (the management server's origin). */
  readonly baseUrl: string;
  /** The enrollment's DeviceID. */
  readonly deviceId: string;
  /** Payload ids already run on this device; updated with what this check-in runs. */
  readonly done: Set<string>;
}

/** The answer's JSON; undefined for 204, and for 404 (a server without the channel). */
async function exchange(url: URL, options: ManagementExtensionRunOptions, body?: unknown): Promise<unknown> {
  let answer;
  try {
    answer = await request(url, {
      method: body === undefined ? "GET" : "POST",
      dispatcher: options.dispatcher,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ProtocolError("MDM_TRANSPORT_FAILED", `${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await answer.body.text();
  if (answer.statusCode === 204 || answer.statusCode === 404) return undefined;
  if (answer.statusCode !== 200) throw new ProtocolError("MDM_TRANSPORT_FAILED", `${url.pathname} answered HTTP ${answer.statusCode}`);
  if (text.length > EXTENSION_LIMITS.maxAssignmentsBytes) throw new ProtocolError("MDM_TRANSPORT_FAILED", `${url.pathname} answered more than ${EXTENSION_LIMITS.maxAssignmentsBytes} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProtocolError("MDM_TRANSPORT_FAILED", `${url.pathname} answered no JSON`);
  }
}

/**
 * One check-in: runs the new Win32 apps, then the new scripts, and posts their outcomes.
 * @returns what ran, in order.
 * @throws ProtocolError MDM_TRANSPORT_FAILED when the channel cannot be used; MALFORMED_REQUEST for a malformed answer.
 */
export async function runManagementExtension(options: ManagementExtensionRunOptions): Promise<AppRunReport[]> {
  const pathOf = (template: string) => new URL(template.replace(":deviceId", encodeURIComponent(options.deviceId)), options.baseUrl);
  const document = await exchange(pathOf(EXTENSION_ASSIGNMENTS_PATH), options);
  if (document === undefined) return [];
  const assignments = parseExtensionAssignments(document);
  const reports: AppRunReport[] = [];
  const results: ExtensionResult[] = [];
  const finish = (payloadId: string, report: AppRunReport) => {
    reports.push(report);
    results.push({ payloadId, outcome: report.outcome, exitCode: report.exitCode });
    options.done.add(payloadId);
    options.onProgress?.({ kind: report.kind, key: report.key, step: "done" });
  };
  const run = async (kind: "win32" | "script", key: string, payloadId: string, startedAt: number) => {
    const scenario = scenarioOf(options.scenarios, key);
    options.onProgress?.({ kind, key, step: "installing" });
    await options.elapse(scenario.installMs);
    const exitCode = exitCodeOf(scenario);
    finish(payloadId, { kind, key, outcome: scenario.outcome, exitCode, lastError: scenario.outcome === "success" ? 0 : exitCode, startedAt, endedAt: options.clock.now() });
  };

  for (const app of assignments.apps) {
    if (options.done.has(app.payloadId)) continue;
    const startedAt = options.clock.now();
    options.onProgress?.({ kind: "win32", key: app.appId, step: "downloading" });
    const download = await downloadVerified(app.contentUrl, app.sha256, options.dispatcher);
    if (!download.ok) {
      finish(app.payloadId, { kind: "win32", key: app.appId, outcome: "failure", exitCode: download.hresult, lastError: download.hresult, startedAt, endedAt: options.clock.now() });
      continue;
    }
    await run("win32", app.appId, app.payloadId, startedAt);
  }
  for (const script of assignments.scripts) {
    if (options.done.has(script.payloadId)) continue;
    const startedAt = options.clock.now();
    if (createHash("sha256").update(script.script, "utf8").digest("hex") !== script.sha256) {
      finish(script.payloadId, { kind: "script", key: script.name, outcome: "failure", exitCode: HRESULT_BAD_DIGEST, lastError: HRESULT_BAD_DIGEST, startedAt, endedAt: options.clock.now() });
      continue;
    }
    await run("script", script.name, script.payloadId, startedAt);
  }
  if (results.length > 0) await exchange(pathOf(EXTENSION_RESULTS_PATH), options, { v: EXTENSION_API_VERSION, results });
  return reports;
}
