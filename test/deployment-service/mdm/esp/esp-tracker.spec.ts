/**
 * The server side of the Enrollment Status Page: what it tracks from a device's queued commands, the FirstSyncStatus
 * Replace it queues at the first message, and ServerHasFinishedProvisioning once everything tracked was answered.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import {
  CommandQueue,
  EspStore,
  EspTracker,
  commandQueueMigrations,
  espMigrations,
  parseEspSettings,
  type CommandQueueDatabase,
  type CommandSpec,
  type EnrollmentRecord,
  type EspDatabase,
} from "../../../../deployment-service/mdm/index.js";
import { ManualClock, openDatabase } from "../../../../lib/index.js";

const DEVICE_ID = "0123456789ABCDEF0123456789ABCDEF";
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const USER_POLICY = "./User/Vendor/MSFT/Policy/Config/Browser/AllowCookies";
const MSI = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/DownloadInstall";
const OTHER_MSI = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7B11111111-2222-3333-4444-555555555555%7D/DownloadInstall";
const ROOT = "./Device/Vendor/MSFT/DMClient/Provider/apsim/FirstSyncStatus";

function enrollmentOf(selfDeploying: boolean, enrolledAt = 0): EnrollmentRecord {
  return {
    enrollmentId: "E-1",
    deviceId: DEVICE_ID,
    directoryDeviceId: undefined,
    userPrincipalName: undefined,
    enrollmentType: "Device",
    authKind: "DeviceToken",
    selfDeploying,
    certificateSerial: "01",
    certificateThumbprint: "AA",
    enrolledAt,
  };
}

describe("deployment-service/mdm/esp/esp-tracker", () => {
  let dir: string;
  let db: Kysely<CommandQueueDatabase & EspDatabase>;
  let queue: CommandQueue;
  let store: EspStore;
  let clock: ManualClock;
  let tracker: EspTracker;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "apsim-esp-"));
    const opened = await openDatabase<CommandQueueDatabase & EspDatabase>(
      { kind: "sqlite", file: path.join(dir, "store.sqlite") },
      { migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...commandQueueMigrations(kind), ...espMigrations(kind) }) }) },
    );
    db = opened.db;
    queue = new CommandQueue(db);
    store = new EspStore(db);
    clock = new ManualClock();
    tracker = new EspTracker({ store, queue, clock, providerId: "apsim" });
  });
  afterEach(async () => {
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const replace = (target: string, data = "1"): CommandSpec => ({ kind: "Replace", items: [{ target, format: "int", data }] });
  const answerAll = async () => {
    for (const record of await queue.list(DEVICE_ID)) {
      if (record.state !== "completed") await queue.recordStatus(record.commandId, { member: null, cmd: record.spec.kind, code: 200, targetRefs: [] }, clock.now());
    }
  };
  const itemsOf = (spec: CommandSpec): Record<string, string | undefined> => (spec.kind === "Atomic" ? {} : Object.fromEntries<string | undefined>(spec.items.map((item) => [item.target.slice(ROOT.length + 1), item.data])));

  it("queues the FirstSyncStatus lists from the queued commands, then ServerHasFinishedProvisioning once all are answered", async () => {
    await store.putSettings("tenant", parseEspSettings({ timeoutMinutes: 45, allowReset: true, customErrorText: "Call the help desk" }), 0);
    await queue.enqueue(DEVICE_ID, replace(CAMERA), 0);
    await queue.enqueue(DEVICE_ID, { kind: "Atomic", commands: [{ kind: "Add", items: [{ target: MSI }] }, { kind: "Exec", items: [{ target: MSI, data: "<MsiInstallJob/>" }] }] }, 0);
    await queue.enqueue(DEVICE_ID, replace(USER_POLICY), 0);
    await tracker.onSessionOpen(enrollmentOf(false));

    const commands = await queue.list(DEVICE_ID);
    expect(commands).to.have.length(4);
    const items = itemsOf(commands[3]!.spec);
    expect(items.ExpectedPolicies!.split("\uF000")).to.deep.equal([CAMERA, USER_POLICY]);
    expect(items.ExpectedMSIAppPackages).to.equal("./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/Status;1");
    expect(items).to.include({ TimeOutUntilSyncFailure: "45", BlockInStatusPage: "3", CustomErrorText: "Call the help desk" });

    await tracker.onSessionOpen(enrollmentOf(false));
    expect(await queue.list(DEVICE_ID)).to.have.length(4);
    await answerAll();
    await tracker.onSessionOpen(enrollmentOf(false));
    const finished = await queue.list(DEVICE_ID);
    expect(finished).to.have.length(5);
    expect(itemsOf(finished[4]!.spec)).to.deep.equal({ ServerHasFinishedProvisioning: "true" });
    expect((await store.tracking(DEVICE_ID))?.finishedAt).to.equal(clock.now());

    await answerAll();
    await tracker.onSessionOpen(enrollmentOf(false));
    expect(await queue.list(DEVICE_ID), "ServerHasFinishedProvisioning is sent once").to.have.length(5);
  });

  it("self-deploying tracks only device items, and only the selected apps block", async () => {
    await store.putSettings("tenant", parseEspSettings({ selectedApps: ["{A427C0AA-E2D5-40DF-ACE8-0D726A6BE096}"] }), 0);
    await queue.enqueue(DEVICE_ID, replace(USER_POLICY), 0);
    await queue.enqueue(DEVICE_ID, { kind: "Add", items: [{ target: MSI }, { target: OTHER_MSI }] }, 0);
    await tracker.onSessionOpen(enrollmentOf(true));
    const items = itemsOf((await queue.list(DEVICE_ID))[2]!.spec);
    expect(items.ExpectedPolicies).to.equal("");
    expect(items.ExpectedMSIAppPackages).to.equal("./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/Status;1");
  });

  it("an app tracked under EnrollmentStatusTracking holds ServerHasFinishedProvisioning until its command is answered", async () => {
    await store.putSettings("tenant", parseEspSettings({}), 0);
    const app = "./Device/Vendor/MSFT/EnrollmentStatusTracking/Setup/Apps/Tracking/Sidecar/Contoso7Zip";
    const tracking = await queue.enqueue(DEVICE_ID, { kind: "Replace", items: [{ target: `${app}/InstallationState`, format: "int", data: "1" }] }, 0);
    await tracker.onSessionOpen(enrollmentOf(false));
    expect((await store.tracking(DEVICE_ID))?.tracked.trackedApps).to.deep.equal([app]);
    const firstSync = (await queue.list(DEVICE_ID))[1]!;
    await queue.recordStatus(firstSync.commandId, { member: null, cmd: "Replace", code: 200, targetRefs: [] }, clock.now());
    await tracker.onSessionOpen(enrollmentOf(false));
    expect(await queue.list(DEVICE_ID), "the app's command is not answered yet").to.have.length(2);
    await queue.recordStatus(tracking.commandId, { member: null, cmd: "Replace", code: 200, targetRefs: [] }, clock.now());
    await tracker.onSessionOpen(enrollmentOf(false));
    expect(itemsOf((await queue.list(DEVICE_ID))[2]!.spec)).to.deep.equal({ ServerHasFinishedProvisioning: "true" });
  });

  it("without ESP settings queues nothing; with progress hidden, only the skip flags", async () => {
    await queue.enqueue(DEVICE_ID, replace(CAMERA), 0);
    await tracker.onSessionOpen(enrollmentOf(false));
    expect(await queue.list(DEVICE_ID)).to.have.length(1);

    await store.putSettings("tenant", parseEspSettings({ showProgress: false }), 0);
    clock.advance(1000);
    await tracker.onSessionOpen(enrollmentOf(false, clock.now()));
    const commands = await queue.list(DEVICE_ID);
    expect(itemsOf(commands[1]!.spec)).to.deep.equal({ SkipDeviceStatusPage: "true", SkipUserStatusPage: "true" });
  });

  it("a profile's settings win over the tenant default", async () => {
    tracker = new EspTracker({ store, queue, clock, providerId: "apsim", profileOf: () => Promise.resolve("P-1") });
    await store.putSettings("tenant", parseEspSettings({ timeoutMinutes: 30 }), 0);
    await store.putSettings("profile:P-1", parseEspSettings({ timeoutMinutes: 90, blockDeviceUse: false }), 0);
    await tracker.onSessionOpen(enrollmentOf(false));
    expect(itemsOf((await queue.list(DEVICE_ID))[0]!.spec)).to.include({ TimeOutUntilSyncFailure: "90", BlockInStatusPage: "0" });
  });
});
