/**
 * The server side of the Enrollment Status Page (DMClient CSP FirstSyncStatus; reference enrollment §2.4, §3.4). When
 * a device opens its first management session after enrollment the tracker reads what is queued for it, keeps that as the
 * ESP's tracked items, and queues one Replace of the FirstSyncStatus nodes: the Expected* lists (entries delimited
 * by U+F000), TimeOutUntilSyncFailure in minutes, BlockInStatusPage and CustomErrorText. Once every tracked command
 * (and that Replace) has its final Status, it queues `ServerHasFinishedProvisioning=true`, once: the node cannot
 * go back to false. Self-deploying and pre-provisioning enrollments track only `./Device/…` items.
 */
import type { Clock } from "../../../lib/index.js";
import type { EnrollmentRecord } from "../enrollment/index.js";
import type { CommandItemSpec, CommandQueue, CommandSpec } from "../management/index.js";
import { blockInStatusPage, type EspSettings } from "./esp-settings.js";
import { TENANT_DEFAULT_SCOPE, profileScope, type EspStore } from "./esp-store.js";
import { trackedItemsOf, type TrackedItems } from "./tracked-items.js";

/** The delimiter of FirstSyncStatus lists (DMClient CSP). */
export const FIRST_SYNC_LIST_DELIMITER = "\uF000";

/** Options of {@link EspTracker}. */
export interface EspTrackerOptions {
  readonly store: EspStore;
  readonly queue: CommandQueue;
  readonly clock: Clock;
  /** The enrollment's DMClient provider ID. */
  readonly providerId: string;
  /** The deployment profile of an enrolled device, when it has one (its ESP settings win over the tenant's). */
  readonly profileOf?: (enrollment: EnrollmentRecord) => Promise<string | undefined>;
}

/** The FirstSyncStatus node root of `providerId`. */
export function firstSyncStatusRoot(providerId: string): string {
  return `./Device/Vendor/MSFT/DMClient/Provider/${encodeURIComponent(providerId)}/FirstSyncStatus`;
}

/** The Replace that tells the device what its ESP tracks and how it behaves. */
export function firstSyncStatusCommand(providerId: string, settings: EspSettings, tracked: TrackedItems): CommandSpec {
  const root = firstSyncStatusRoot(providerId);
  const item = (name: string, format: string, data: string): CommandItemSpec => ({ target: `${root}/${name}`, format, type: "text/plain", data });
  const list = (name: string, entries: readonly string[]) => item(name, "chr", entries.join(FIRST_SYNC_LIST_DELIMITER));
  if (!settings.showProgress) return { kind: "Replace", items: [item("SkipDeviceStatusPage", "bool", "true"), item("SkipUserStatusPage", "bool", "true")] };
  return {
    kind: "Replace",
    items: [
      list("ExpectedPolicies", tracked.policies),
      list("ExpectedMSIAppPackages", tracked.msiAppPackages),
      list("ExpectedPFXCerts", tracked.pfxCerts),
      list("ExpectedSCEPCerts", tracked.scepCerts),
      list("ExpectedNetworkProfiles", tracked.networkProfiles),
      item("TimeOutUntilSyncFailure", "int", String(settings.timeoutMinutes)),
      item("BlockInStatusPage", "int", String(blockInStatusPage(settings))),
      item("CustomErrorText", "chr", settings.customErrorText),
    ],
  };
}

/** The Replace that ends the device's ESP from the server's side. */
export function serverFinishedCommand(providerId: string): CommandSpec {
  return { kind: "Replace", items: [{ target: `${firstSyncStatusRoot(providerId)}/ServerHasFinishedProvisioning`, format: "bool", type: "text/plain", data: "true" }] };
}

const NOTHING_TRACKED: TrackedItems = { policies: [], msiAppPackages: [], pfxCerts: [], scepCerts: [], networkProfiles: [], trackedApps: [], commandIds: [] };

/** Runs every enrolled device's ESP from the server's side. */
export class EspTracker {
  constructor(private readonly options: EspTrackerOptions) {}

  /** The ESP settings that apply to `enrollment`: its profile's, else the tenant's default, else none. */
  async settingsFor(enrollment: EnrollmentRecord): Promise<EspSettings | undefined> {
    const profileId = await this.options.profileOf?.(enrollment);
    const own = profileId === undefined ? undefined : await this.options.store.settings(profileScope(profileId));
    return own ?? (await this.options.store.settings(TENANT_DEFAULT_SCOPE));
  }

  /**
   * Called when the device opens a session, after what it is assigned has been queued: starts the device's ESP at
   * its first session after enrollment, and queues ServerHasFinishedProvisioning at the first session after
   * everything tracked has been answered.
   */
  async onSessionOpen(enrollment: EnrollmentRecord): Promise<void> {
    const { store, queue, clock, providerId } = this.options;
    const { deviceId } = enrollment;
    let tracking = await store.tracking(deviceId);
    if (tracking !== undefined && tracking.startedAt < enrollment.enrolledAt) {
      await store.forget(deviceId);
      tracking = undefined;
    }
    if (tracking === undefined) {
      await this.start(enrollment);
      return;
    }
    if (tracking.finishedAt !== null || tracking.settings === null || !tracking.settings.showProgress) return;
    const commands = await queue.list(deviceId);
    const pending = new Set(commands.filter((record) => record.state !== "completed").map((record) => record.commandId));
    if (tracking.tracked.commandIds.some((id) => pending.has(id))) return;
    if (await store.finish(deviceId, clock.now())) await queue.enqueue(deviceId, serverFinishedCommand(providerId), clock.now());
  }

  private async start(enrollment: EnrollmentRecord): Promise<void> {
    const { store, queue, clock, providerId } = this.options;
    const now = clock.now();
    const settings = await this.settingsFor(enrollment);
    if (settings === undefined) {
      await store.startTracking({ deviceId: enrollment.deviceId, settings: null, tracked: NOTHING_TRACKED, startedAt: now, finishedAt: now });
      return;
    }
    const waiting = (await queue.list(enrollment.deviceId)).filter((record) => record.state !== "completed");
    const tracked = settings.showProgress
      ? trackedItemsOf(waiting, { deviceOnly: enrollment.selfDeploying, selectedApps: settings.blockDeviceUse ? settings.selectedApps : [] })
      : NOTHING_TRACKED;
    const started = await store.startTracking({
      deviceId: enrollment.deviceId,
      settings,
      tracked,
      startedAt: now,
      finishedAt: settings.showProgress ? null : now,
    });
    if (!started) return;
    const command = await queue.enqueue(enrollment.deviceId, firstSyncStatusCommand(providerId, settings, tracked), now);
    if (settings.showProgress) {
      // The FirstSyncStatus Replace itself must be answered before the server may say it has finished.
      await store.updateTracked(enrollment.deviceId, { ...tracked, commandIds: [...tracked.commandIds, command.commandId] });
    }
  }
}
