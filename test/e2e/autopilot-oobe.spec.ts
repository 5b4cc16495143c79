/**
 * Devices through OOBE against `apsim up`'s services on loopback HTTPS: registration by CSV import, a profile,
 * then each mode's steps to MDM enrollment — and the failures Windows shows at the step that fails.
 */
import { expect } from "chai";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileOobeStateStore, memoryOobeStateStore } from "../../agent/oobe/oobe-state.js";
import { runDeviceOobe, type DeviceOobeOptions } from "../../agent/oobe/device-oobe.js";
import { ENROLLMENT_DIR, VirtualDevice, createDeviceDirectory, openDeviceTpm, type DeviceDirectory } from "../../agent/index.js";
import { buildHardwareHash } from "../../agent/device/hardware-hash-builder.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import {
  DomainControllerSimulator,
  createProfileAt,
  createUserAt,
  deploymentServiceMount,
  importCsvAt,
  type DeploymentAdminClientOptions,
} from "../../deployment-service/index.js";
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
  const domainController = new DomainControllerSimulator({ domain: "corp.contoso.example" });

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-oobe-"));
    services = await startServices({
      home,
      port: 0,
      extraServices: [deploymentServiceMount({ tenantDomain: "contoso.example", passwordCost: TEST_PASSWORD_COST, domainController })],
    });
    ca = await loadTlsTrust(home);
    admin = { serverUrl: services.url, adminToken: services.adminToken, ca };
    await createProfileAt(admin, { name: "Kiosks", settings: { mode: "self-deploying", deviceNameTemplate: "K-%SERIAL%" }, assignTo: { groupTag: "Kiosk" } });
    await createProfileAt(admin, {
      name: "Knowledge workers",
      settings: { mode: "user-driven", allowPreProvisioning: true },
      assignTo: { groupTag: "Staff" },
    });
    await createProfileAt(admin, { name: "Hybrid desks", settings: { mode: "user-driven", join: "hybrid" }, assignTo: { groupTag: "Hybrid" } });
    await createUserAt(admin, { upn: "adele@contoso.example", password: "Correct horse 1" });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** Makes a device of `model` from `vendor` and registers it with `groupTag` (unless `register` is false). */
  async function device(vendor: string, groupTag: string, options: { model?: string; register?: boolean; tpmFaults?: string[] } = {}): Promise<DeviceDirectory> {
    serial++;
    const made = await createDeviceDirectory({
      dir: path.join(home, "devices", `d${serial}`),
      home,
      vendor,
      seed: Buffer.alloc(32, serial),
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.tpmFaults === undefined ? {} : { tpmFaults: options.tpmFaults }),
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
    expect(outline(result.steps).slice(-4)).to.deep.equal(["securingHardware:ok", "joiningNetwork:ok", "registeringMdm:ok", "deviceSetup:ok"]);
    expect(result.esp.map((phase) => `${phase.phase}:${phase.outcome}`), "no ESP is configured on this server").to.deep.equal(["deviceSetup:skipped"]);
    expect(result.deviceName).to.equal(`K-${made.description.smbios.serialNumber}`.slice(0, 15));
    expect(result.enrollment?.dmServerUrl).to.match(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(result.enrollmentId).to.be.a("string").and.not.equal("");
  });

  it("self-deploying with a firmware TPM (EK certificate from the vendor endpoint)", async () => {
    const result = await oobe(await device("INTC", "Kiosk"));
    expect(result, JSON.stringify(result.steps)).to.include({ ok: true, mode: "self-deploying" });
  });

  it("user-driven: the user signs in, the device joins Entra with the user's credentials and enrolls", async () => {
    const result = await oobe(await device("STM", "Staff"), { user: { upn: "adele@contoso.example", password: "Correct horse 1" } });
    expect(result, JSON.stringify(result.steps)).to.include({ ok: true, mode: "user-driven" });
    expect(outline(result.steps).slice(-5)).to.deep.equal(["signIn:ok", "joiningNetwork:ok", "registeringMdm:ok", "deviceSetup:ok", "accountSetup:ok"]);
    expect(result.deviceName).to.match(/^DESKTOP-[A-Z0-9]{7}$/);
  });

  it("user-driven with a wrong password stops at sign-in, and the join and enrollment report 'previous step failed'", async () => {
    const result = await oobe(await device("STM", "Staff"), { user: { upn: "adele@contoso.example", password: "wrong" } });
    expect(result).to.include({ ok: false, code: "SIGN_IN_INVALID_CREDENTIALS" });
    expect(outline(result.steps).slice(-5)).to.deep.equal([
      "signIn:failed",
      "joiningNetwork:previousStepFailed",
      "registeringMdm:previousStepFailed",
      "deviceSetup:previousStepFailed",
      "accountSetup:previousStepFailed",
    ]);
  });

  it("user-driven without a user fails at sign-in", async () => {
    const result = await oobe(await device("STM", "Staff"));
    expect(result).to.include({ ok: false, code: "USER_CREDENTIALS_REQUIRED" });
  });

  it("pre-provisioning: the technician provisions and reseals (state on disk), the user flow later finishes on the same state", async () => {
    const made = await device("IFX", "Staff");
    const state = fileOobeStateStore(made.dir);
    const technician = await oobe(made, { technician: true, state });
    expect(technician, JSON.stringify(technician.steps)).to.include({ ok: true, mode: "pre-provisioning" });
    expect(outline(technician.steps).slice(-5)).to.deep.equal(["securingHardware:ok", "joiningNetwork:ok", "registeringMdm:ok", "deviceSetup:ok", "reseal:ok"]);
    expect(technician.state).to.include({ stage: "resealed", mode: "pre-provisioning" });
    expect(technician.state.enrollmentId).to.equal(technician.enrollmentId);

    // The user part runs its ESP sessions with the enrollment the technician's part made (kept by the caller).
    const technicianEnrollment = technician.enrollment!;
    const espEnrollment = {
      clientCertificate: technicianEnrollment.clientCertificate,
      privateKey: technicianEnrollment.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      dmServerUrl: technicianEnrollment.dmServerUrl,
      providerId: technicianEnrollment.providerId,
    };
    const user = await oobe(made, { state: fileOobeStateStore(made.dir), user: { upn: "adele@contoso.example", password: "Correct horse 1" }, esp: { enrollment: espEnrollment } });
    expect(user, JSON.stringify(user.steps)).to.include({ ok: true, mode: "pre-provisioning" });
    expect(outline(user.steps).slice(-3)).to.deep.equal(["signIn:ok", "deviceSetup:ok", "accountSetup:ok"]);
    expect(user.state).to.include({ stage: "completed", enrollmentId: technician.enrollmentId, deviceName: technician.deviceName });
  });

  it("the technician flow on a profile that does not allow pre-provisioning fails at the profile step", async () => {
    const result = await oobe(await device("IFX", "Kiosk"), { technician: true });
    expect(result).to.include({ ok: false, code: "PRE_PROVISIONING_NOT_ALLOWED" });
    expect(result.steps.find((s) => s.name === "profile")).to.include({ status: "failed" });
  });

  it("hybrid join: the offline domain join blob is applied; an unreachable domain controller fails the join", async () => {
    const user = { upn: "adele@contoso.example", password: "Correct horse 1" };
    const joined = await oobe(await device("NTC", "Hybrid"), { user });
    expect(joined, JSON.stringify(joined.steps)).to.include({ ok: true, mode: "user-driven" });
    domainController.setReachable(false);
    try {
      const refused = await oobe(await device("NTC", "Hybrid"), { user });
      expect(refused.ok).to.equal(false);
      expect(refused.steps.find((s) => s.name === "joiningNetwork")).to.include({ status: "failed" });
    } finally {
      domainController.setReachable(true);
    }
  });

  it("a TPM 1.2 device or a virtual machine in self-deploying stops at 'Securing your hardware' with 0x800705b4", async () => {
    for (const model of ["hp-elitebook-840-g2-tpm12", "hyperv-vm"]) {
      const result = await oobe(await device("IFX", "Kiosk", { model }));
      expect(result, model).to.include({ ok: false, code: "NO_TPM", hresult: "0x800705b4" });
      expect(outline(result.steps).slice(-4), model).to.deep.equal([
        "securingHardware:failed",
        "joiningNetwork:previousStepFailed",
        "registeringMdm:previousStepFailed",
        "deviceSetup:previousStepFailed",
      ]);
    }
  });

  it("an unregistered device gets no profile, and nothing after the profile step runs", async () => {
    const result = await oobe(await device("IFX", "Kiosk", { register: false }));
    expect(result).to.include({ ok: false, mode: null, code: "DEVICE_NOT_REGISTERED" });
    expect(result.steps.at(-1)).to.include({ name: "profile", status: "failed" });
  });

  it("a registered device whose tag no profile targets gets DEVICE_PROFILE_NOT_ASSIGNED", async () => {
    const result = await oobe(await device("IFX", "Nobody"));
    expect(result).to.include({ ok: false, code: "DEVICE_PROFILE_NOT_ASSIGNED" });
  });

  it("a self-deployed device whose enrollment record still exists cannot enroll again (0x80180014)", async () => {
    const made = await device("IFX", "Kiosk");
    expect((await oobe(made)).ok).to.equal(true);
    const again = await oobe(made);
    expect(again.ok).to.equal(false);
    expect(again.steps.find((s) => s.status === "failed")).to.include({ hresult: "0x80180014" });
  });

  it("VirtualDevice (library API): create, CSV, technician screen, OOBE; the enrollment is kept with its key private", async () => {
    const virtualDevice = await VirtualDevice.create({ dir: path.join(home, "devices", "library"), home, vendor: "IFX", seed: Buffer.alloc(32, 0xee) });
    const imported = await importCsvAt(admin, Buffer.from(await virtualDevice.autopilotCsv({ groupTag: "Staff", assignedUser: "adele@contoso.example" }), "latin1"));
    expect(imported.errors ?? []).to.deep.equal([]);
    const view = await virtualDevice.technicianView({ serverUrl: services.url, ca });
    expect(view).to.include({ profileName: "Knowledge workers", organization: "contoso.example", assignedUser: "adele@contoso.example", preProvisioningAllowed: true });
    expect(JSON.parse(view.qrPayload)).to.include({ serialNumber: virtualDevice.description.smbios.serialNumber });

    const result = await virtualDevice.oobe({ serverUrl: services.url, ca, technician: true, enrollmentKeySource });
    expect(result.ok, JSON.stringify(result.steps)).to.equal(true);
    expect((await virtualDevice.state()).stage).to.equal("resealed");
    const saved = await virtualDevice.enrollment();
    expect(saved).to.include({ enrollmentId: result.enrollmentId });
    expect((await stat(path.join(virtualDevice.dir, ENROLLMENT_DIR, saved!.keyFile))).mode & 0o777).to.equal(0o600);
    expect(new X509Certificate(saved!.clientCertificate).publicKey.export({ type: "spki", format: "der" })).to.deep.equal(
      enrollmentKey.publicKey.export({ type: "spki", format: "der" }),
    );
  });

  it("attestation rejected (a ROCA-vulnerable EK) stops at 'Securing your hardware' with the service's HRESULT", async () => {
    const result = await oobe(await device("IFX", "Kiosk", { tpmFaults: ["roca-ek"] }));
    expect(result).to.include({ ok: false, mode: "self-deploying", code: "TPM_VULNERABLE_KEY", hresult: "0x81039024" });
    expect(outline(result.steps).slice(-4)).to.deep.equal([
      "securingHardware:failed",
      "joiningNetwork:previousStepFailed",
      "registeringMdm:previousStepFailed",
      "deviceSetup:previousStepFailed",
    ]);
  });
});
