/**
 * The Enrollment Status Page end to end against `apsim up`: a self-deploying device enrolls, the administrator's
 * policies are queued, and device setup runs real management sessions until the server has finished provisioning;
 * an app that never installs runs the page into its timeout on the device's clock.
 */
import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { VirtualDevice, createDeviceDirectory, openDeviceTpm, type DeviceDirectory } from "../../agent/index.js";
import { buildHardwareHash } from "../../agent/device/hardware-hash-builder.js";
import { runDeviceOobe, windowsDeviceIds, type DeviceOobeResult } from "../../agent/oobe/device-oobe.js";
import { memoryOobeStateStore } from "../../agent/oobe/oobe-state.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount, importCsvAt, type DeploymentAdminClientOptions } from "../../deployment-service/index.js";
import type { CommandRecord } from "../../deployment-service/mdm/index.js";
import { ManualClock, createHttpsAgent } from "../../lib/index.js";
import { formatAutopilotCsv } from "../../protocol/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const CORTANA = "./Device/Vendor/MSFT/Policy/Config/Experience/AllowCortana";
const APP = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/DownloadInstall";
const MSI_JOB = `<MsiInstallJob id="{A427C0AA-E2D5-40DF-ACE8-0D726A6BE096}"><Product Version="1.0.0"><Download><ContentURLList><ContentURL>https://127.0.0.1/app.msi</ContentURL></ContentURLList></Download><Validation><FileHash>00</FileHash></Validation><Enforcement><CommandLine>/quiet</CommandLine></Enforcement></Product></MsiInstallJob>`;
const MINUTE = 60_000;
const SHOP_MSI = "{22222222-3333-4444-8555-666666666666}";

describe("e2e: Enrollment Status Page against apsim up", function () {
  this.timeout(120_000);
  let home: string;
  let ca: string;
  let services: RunningServices;
  let admin: DeploymentAdminClientOptions;
  let serial = 0;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-esp-"));
    services = await startServices({ home, port: 0, extraServices: [deploymentServiceMount({ tenantDomain: "contoso.example", passwordCost: TEST_PASSWORD_COST })] });
    ca = await loadTlsTrust(home);
    admin = { serverUrl: services.url, adminToken: services.adminToken, ca };
    await createProfileAt(admin, { name: "Kiosks", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Kiosk" } });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function adminRequest(method: "GET" | "POST" | "PUT", pathname: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const dispatcher = createHttpsAgent({ ca });
    try {
      const answer = await request(new URL(pathname, services.url), {
        method,
        dispatcher,
        headers: { authorization: `Bearer ${services.adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: answer.statusCode, json: await answer.body.json() };
    } finally {
      await dispatcher.close();
    }
  }

  async function registeredDevice(groupTag = "Kiosk"): Promise<DeviceDirectory> {
    serial++;
    const made = await createDeviceDirectory({ dir: path.join(home, "devices", `d${serial}`), home, vendor: "IFX", seed: Buffer.alloc(32, 0x60 + serial) });
    const tpm = openDeviceTpm(made);
    try {
      const hash = await buildHardwareHash(made.description, tpm);
      const csv = formatAutopilotCsv([{ serialNumber: made.description.smbios.serialNumber, productId: "", hardwareHash: hash.toString("base64"), groupTag, assignedUser: "" }]);
      expect((await importCsvAt(admin, Buffer.from(csv, "latin1"))).errors ?? []).to.deep.equal([]);
    } finally {
      await tpm?.close();
    }
    return made;
  }

  /**
   * OOBE with `commands` queued for the device between its enrollment and its first management session (where an
   * administrator's assignments land), the device's waits moving `clock`.
   */
  async function oobeWith(made: DeviceDirectory, commands: readonly unknown[], clock: ManualClock): Promise<DeviceOobeResult> {
    const { deviceId } = windowsDeviceIds(made.description);
    let sessionId = 0;
    const tpm = openDeviceTpm(made);
    try {
      return await runDeviceOobe({
        description: made.description,
        tpm,
        serverUrl: services.url,
        ca,
        state: memoryOobeStateStore(),
        clock,
        enrollmentKeySource: () => Promise.resolve(enrollmentKey),
        esp: {
          nextSessionId: async () => {
            if (sessionId === 0) {
              for (const command of commands) expect((await adminRequest("POST", `/deployment/v1/admin/devices/${deviceId}/commands`, command)).status).to.equal(201);
            }
            return (sessionId += 1);
          },
          pollIntervalMs: 3 * MINUTE,
          wait: (ms) => Promise.resolve(clock.advance(ms)),
        },
      });
    } finally {
      await tpm?.close();
    }
  }

  it("device setup applies the queued policies and ends when the server has finished provisioning", async () => {
    const settings = await adminRequest("PUT", "/deployment/v1/admin/esp", { timeoutMinutes: 30, customErrorText: "Call the help desk" });
    expect(settings.status, JSON.stringify(settings.json)).to.equal(200);
    const made = await registeredDevice();
    const result = await oobeWith(
      made,
      [
        { kind: "Replace", items: [{ target: CAMERA, format: "int", data: "0" }] },
        { kind: "Replace", items: [{ target: CORTANA, format: "int", data: "0" }] },
      ],
      new ManualClock(Date.now()),
    );
    expect(result, JSON.stringify(result.steps)).to.include({ ok: true, mode: "self-deploying" });
    expect(result.steps.at(-1)).to.include({ name: "deviceSetup", status: "ok" });
    const [deviceSetup] = result.esp;
    expect(deviceSetup).to.include({ phase: "deviceSetup", outcome: "succeeded", progressPercent: 100 });
    expect(deviceSetup!.subSteps.find((step) => step.name === "securityPolicies")?.items.map((item) => `${item.locUri}:${item.state}`)).to.deep.equal([
      `${CAMERA}:completed`,
      `${CORTANA}:completed`,
    ]);

    const { deviceId } = windowsDeviceIds(made.description);
    const tracking = await adminRequest("GET", `/deployment/v1/admin/esp/devices/${deviceId}`);
    expect((tracking.json as { finishedAt: number | null }).finishedAt).to.be.a("number");
    const listed = (await adminRequest("GET", `/deployment/v1/admin/devices/${deviceId}/commands`)).json as { commands: CommandRecord[] };
    expect(listed.commands.map((command) => command.state)).to.deep.equal(["completed", "completed", "completed", "completed"]);
    expect(JSON.stringify(listed.commands.at(-1)!.spec)).to.include("ServerHasFinishedProvisioning");
  });

  it("an app that never installs runs device setup into its timeout on the device's clock: OOBE fails with ESP_TIMED_OUT", async () => {
    expect((await adminRequest("PUT", "/deployment/v1/admin/esp", { timeoutMinutes: 20 })).status).to.equal(200);
    const clock = new ManualClock(Date.now());
    const started = clock.now();
    const result = await oobeWith(
      await registeredDevice(),
      [{ kind: "Atomic", commands: [{ kind: "Add", items: [{ target: APP }] }, { kind: "Exec", items: [{ target: APP, format: "xml", data: MSI_JOB }] }] }],
      clock,
    );
    expect(result).to.include({ ok: false, code: "ESP_TIMED_OUT", hresult: "0x800705b4" });
    expect(result.steps.at(-1)).to.include({ name: "deviceSetup", status: "failed" });
    expect(result.esp[0]).to.include({ outcome: "timedOut", deviceUsable: false });
    expect(clock.now() - started).to.be.within(20 * MINUTE, 23 * MINUTE);
  });

  it("a VirtualDevice's device setup installs its assigned MSI app on the device's clock; a failing required app fails the page", async () => {
    expect((await adminRequest("PUT", "/deployment/v1/admin/esp", { timeoutMinutes: 60, allowReset: true, customErrorText: "Call the help desk" })).status).to.equal(200);
    await createProfileAt(admin, { name: "Shops", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Shop" } });
    const group = await adminRequest("POST", "/deployment/v1/admin/groups", { name: "Shop devices", rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Shop"))' });
    expect(group.status, JSON.stringify(group.json)).to.equal(201);
    const assignments = { groups: [(group.json as { id: string }).id] };
    for (const document of [
      { kind: "policy", name: "Camera", area: "Camera", policy: "AllowCamera", value: "0", assignments },
      { kind: "msi", name: "Till software", productCode: SHOP_MSI, productVersion: "2.0", content: Buffer.from("till msi").toString("base64"), assignments },
    ]) {
      const added = await adminRequest("POST", "/deployment/v1/admin/payloads", document);
      expect(added.status, JSON.stringify(added.json)).to.equal(201);
    }

    const deploy = async (outcome: "success" | "failure") => {
      const made = await registeredDevice("Shop");
      const device = await VirtualDevice.open(made.dir);
      const clock = new ManualClock(Date.now());
      const started = clock.now();
      const result = await device.oobe({
        serverUrl: services.url,
        ca,
        clock,
        enrollmentKeySource: () => Promise.resolve(enrollmentKey),
        espWait: (ms) => Promise.resolve(clock.advance(ms)),
        apps: { scenarios: { [SHOP_MSI]: { installMs: 4 * MINUTE, outcome } }, elapse: (ms) => Promise.resolve(clock.advance(ms)) },
      });
      return { result, minutes: (clock.now() - started) / MINUTE };
    };

    const installed = await deploy("success");
    expect(installed.result, JSON.stringify(installed.result.steps)).to.include({ ok: true });
    expect(installed.result.esp[0]).to.include({ outcome: "succeeded", progressPercent: 100 });
    expect(installed.result.esp[0]!.subSteps.find((step) => step.name === "apps")?.items).to.have.length(1);
    expect(installed.minutes).to.be.at.least(4);

    const failed = await deploy("failure");
    expect(failed.result).to.include({ ok: false, code: "ESP_APP_INSTALL_FAILED" });
    expect(failed.result.esp[0]).to.include({ outcome: "failed", errorText: "Call the help desk", canReset: true, deviceUsable: false });
  });
});
