/**
 * The device's Enrollment Status Page for one phase (device setup or account setup): it runs management sessions
 * until the server has finished provisioning and every tracked item is in, a required app fails on a blocking page,
 * or TimeOutUntilSyncFailure minutes pass on the device's clock (reference enrollment §3.4; DMClient CSP). A session
 * that brought commands is followed at once by another (the server may have more); otherwise the device waits
 * `pollIntervalMs` first. On failure the page shows the custom error text and the ways out the server allowed.
 */
import type { Clock } from "../../lib/index.js";
import { readEspView, type EspSubStep, type EspView, type NodeLister, type NodeReader } from "./esp-view.js";

/** How a phase ended. */
export type EspOutcome = "succeeded" | "skipped" | "failed" | "timedOut";

/** What one phase of the ESP ended with. */
export interface EspResult {
  readonly phase: "deviceSetup" | "accountSetup";
  readonly outcome: EspOutcome;
  /** "OK", ESP_APP_INSTALL_FAILED or ESP_TIMED_OUT. */
  readonly code: string;
  /** The failure screen's text; null on success. */
  readonly errorText: string | null;
  /** The failure screen offers "Reset device". */
  readonly canReset: boolean;
  /** The device may be used: success, a page that does not block, or "Continue anyway" allowed on error. */
  readonly deviceUsable: boolean;
  readonly progressPercent: number;
  readonly subSteps: readonly EspSubStep[];
  readonly sessions: number;
  readonly ms: number;
}

/** Options of {@link runEsp}. */
export interface RunEspOptions {
  readonly phase: "deviceSetup" | "accountSetup";
  /** Runs one management session; resolves to the number of server commands it answered. */
  readonly sync: () => Promise<number>;
  /** Reads the device's nodes (the CSP tree's settings and the device's app install statuses). */
  readonly read: NodeReader;
  /** Lists stored LocURIs below a node (finds the apps EnrollmentStatusTracking tracks); default none. */
  readonly list?: NodeLister;
  readonly providerId: string;
  readonly clock: Clock;
  /** Waits between idle sessions; tests move a manual clock here instead of sleeping. */
  readonly wait: (ms: number) => Promise<void>;
  /** Time between idle sessions; default 60 s. */
  readonly pollIntervalMs?: number;
  /** Self-deploying and pre-provisioning: only device-targeted items are tracked (account setup has none). */
  readonly deviceTargetedOnly?: boolean;
  /** Most sessions, a guard against a clock that never moves; default 1000. */
  readonly maxSessions?: number;
  readonly onProgress?: (view: EspView) => void;
}

const DEFAULT_POLL_INTERVAL_MS = 60_000;

/** Runs one phase of the ESP to its end. */
export async function runEsp(options: RunEspOptions): Promise<EspResult> {
  const { clock, phase } = options;
  const started = clock.now();
  const maxSessions = options.maxSessions ?? 1000;
  const userHidden = options.deviceTargetedOnly === true && phase === "accountSetup";
  const read: NodeReader = userHidden ? (uri) => (uri.startsWith("./User/") ? undefined : options.read(uri)) : options.read;
  const list: NodeLister = (uri) => (userHidden && uri.startsWith("./User/") ? [] : (options.list?.(uri) ?? []));
  let sessions = 0;
  for (;;) {
    const answered = await options.sync();
    sessions += 1;
    const view = readEspView(read, options.providerId, phase, list);
    options.onProgress?.(view);
    const { behaviour } = view;
    const end = (outcome: EspOutcome, code: string): EspResult => {
      const failed = outcome === "failed" || outcome === "timedOut";
      return {
        phase,
        outcome,
        code,
        errorText: failed ? behaviour.customErrorText : null,
        canReset: failed && behaviour.allowReset,
        deviceUsable: !failed || !behaviour.blockDeviceUse || behaviour.allowUseOnError,
        progressPercent: view.progressPercent,
        subSteps: view.subSteps,
        sessions,
        ms: clock.now() - started,
      };
    };
    const skipped = phase === "deviceSetup" ? behaviour.skipDevicePage : behaviour.skipUserPage;
    if (!behaviour.configured || skipped) return end("skipped", "OK");
    const items = view.subSteps.flatMap((step) => step.items);
    if (behaviour.blockDeviceUse && items.some((item) => item.state === "failed")) return end("failed", "ESP_APP_INSTALL_FAILED");
    if (behaviour.serverHasFinishedProvisioning && items.every((item) => item.state !== "inProgress")) return end("succeeded", "OK");
    if (clock.now() - started >= behaviour.timeoutMinutes * 60_000 || sessions >= maxSessions) return end("timedOut", "ESP_TIMED_OUT");
    if (answered === 0) await options.wait(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  }
}
