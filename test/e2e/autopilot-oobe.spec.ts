/**
 * Devices through OOBE against `apsim up`'s services on loopback HTTPS: registration by CSV import, a profile,
 * then each mode's steps to MDM enrollment — and the failures Windows shows at the step that fails.
 */
import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { memoryOobeStateStore } from "../../agent/oobe/oobe-state.js";
import { runDeviceOobe, type DeviceOobeOptions } from "../../agent/oobe/device-oobe.js";
import { createDeviceDirectory, openDeviceTpm, type DeviceDirectory } from "../../agent/index.js";
import { buildHardwareHash } from "../../agent/device/hardware-hash-builder.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, createUserAt, deploymentServiceMount, importCsvAt, type DeploymentAdminClientOptions } from "../../deployment-service/index.js";
import { formatAutopilotCsv } from "../../protocol/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

/** One RSA-2048 pair for every enrollment of the suite: key generation is not what these tests are about. */
const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const enrollmentKeySource = () => Promise.resolve(enrollmentKey);

describe("e2e: Autopilot OOBE against apsim up", function () {
  this.timeout(120_000);
  let home: string;
  let ca: string;
  let services: RunningServices;
  let admin: DeploymentAdminClientOptions;
  let serial = 0;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-oobe-"));
    services = await startServices({
      home,
      port: 0,
      extraServices: [deploymentServiceMount({ tenantDomain: "contoso.example", passwordCost: TEST_PASSWORD_COST })],
    });
    ca = await loadTlsTrust(home);
    admin = { serverUrl: services.url, adminToken: services.adminToken, ca };
    await createProfileAt(admin, { name: "Kiosks", settings: { mode: "self-deploying", deviceNameTemplate: "K-%SERIAL%" }, assignTo: { groupTag: "Kiosk" } });
    await createProfileAt(admin, {
      name: "Knowledge workers",
      settings: { mode: "user-driven", allowPreProvisioning: true },
      assignTo: { groupTag: "Staff" },
    });
    await createUserAt(admin, { upn: "adele@contoso.example", password: "Correct horse 1" });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** Makes a device of `model` from `vendor` and registers it with `groupTag` (unless `register` is false). */
  async function device(vendor: string, groupTag: string, options: { model?: string; register?: boolean } = {}): Promise<DeviceDirectory> {
    serial++;
    const made = await createDeviceDirectory({
      dir: path.join(home, "devices", `d${serial}`),
      home,
      vendor,
      seed: Buffer.alloc(32, serial),
      ...(options.model === undefined ? {} : { model: options.model }),
    });
    if (options.register !== false) {
      const tpm = openDeviceTpm(made);
      try {
        const hash = await buildHardwareHash(made.description, tpm);
        const csv = formatAutopilotCsv([
          { serialNumber: made.description.smbios.serialNumber, productId: "", hardwareHash: hash.toString("base64"), groupTag, assignedUser: "" },
        ]);
        const imported = await importCsvAt(admin, Buffer.from(csv, "latin1"));
        expect(imported.errors ?? []).to.deep.equal([]);
      } finally {
        await tpm?.close();
      }
    }
    return made;
  }

  async function oobe(made: DeviceDirectory, options: Partial<DeviceOobeOptions> = {}) {
    const tpm = openDeviceTpm(made);
    try {
      return await runDeviceOobe({
        description: made.description,
        tpm,
        serverUrl: services.url,
        ca,
        state: options.state ?? memoryOobeStateStore(),
        enrollmentKeySource,
        ...options,
      });
    } finally {
      await tpm?.close();
    }
  }

  const outline = (steps: readonly { name: string; status: string }[]) => steps.map((s) => `${s.name}:${s.status}`);

  it("self-deploying with a discrete TPM: attests, joins and enrolls; the device is named from the profile's template", async () => {
    const made = await device("IFX", "Kiosk");
    const result = await oobe(made);
    expect(result, JSON.stringify(result.steps)).to.include({ ok: true, mode: "self-deploying", code: "OK" });
    expect(outline(result.steps).slice(-3)).to.deep.equal(["securingHardware:ok", "joiningNetwork:ok", "registeringMdm:ok"]);
    expect(result.deviceName).to.equal(`K-${made.description.smbios.serialNumber}`.slice(0, 15));
    expect(result.enrollment?.dmServerUrl).to.match(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(result.enrollmentId).to.be.a("string").and.not.equal("");
  });
});
