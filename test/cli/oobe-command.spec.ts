/**
 * The whole Autopilot path from the command line, as a user runs it: `apsim device create`, `device hash --csv`,
 * `admin import-csv`, `admin profile create`, then `device oobe` against services running in this process.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount } from "../../deployment-service/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

function apsim(home: string, adminToken: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", MAIN, "--home", home, ...args],
      { timeout: 60_000, env: { ...process.env, APSIM_ADMIN_TOKEN: adminToken } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("apsim device oobe", function () {
  this.timeout(180_000);
  let home: string;
  let services: RunningServices;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-oobe-cli-"));
    services = await startServices({
      home,
      port: 0,
      extraServices: [deploymentServiceMount({ passwordCost: TEST_PASSWORD_COST })],
    });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("creates, registers and deploys a self-deploying device; the JSON document says how each step went; a second run is refused", async () => {
    const dir = path.join(home, "kiosk-1");
    const csv = path.join(home, "devices.csv");
    const run = (...args: string[]) => apsim(home, services.adminToken, ...args);
    expect((await run("device", "create", "--vendor", "IFX", "--dir", dir, "--seed", "11".repeat(32))).code).to.equal(0);
    expect((await run("device", "hash", "--dir", dir, "--csv", csv, "--group-tag", "Kiosk")).code).to.equal(0);
    const imported = await run("admin", "import-csv", "--server", services.url, csv);
    expect(imported.code, imported.stderr).to.equal(0);
    const profile = await run("admin", "profile", "create", "--server", services.url, "--name", "Kiosks", "--mode", "self-deploying", "--join", "entra", "--group-tag", "Kiosk");
    expect(profile.code, profile.stderr).to.equal(0);

    const technician = await run("device", "technician", "--dir", dir, "--server", services.url, "--json");
    expect(technician.code, technician.stderr).to.equal(0);
    expect(JSON.parse(technician.stdout)).to.include({ profileName: "Kiosks", organization: "contoso.example", preProvisioningAllowed: false });

    const oobe = await run("device", "oobe", "--dir", dir, "--server", services.url, "--json");
    expect(oobe.code, oobe.stderr).to.equal(0);
    const document = JSON.parse(oobe.stdout) as { ok: boolean; mode: string; steps: { name: string; status: string; hresult: string }[]; enrollmentId: string; stage: string };
    expect(document).to.include({ ok: true, mode: "self-deploying", stage: "completed" });
    expect(document.steps.map((s) => s.name).slice(-4)).to.deep.equal(["securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup"]);
    expect(document.enrollmentId).to.be.a("string");
    expect(oobe.stderr).to.match(/Securing your hardware/);

    const again = await run("device", "oobe", "--dir", dir, "--server", services.url);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/already completed OOBE/);
  });

  it("a device without a TPM stops at 'Securing your hardware' with exit code 1 and the HRESULT on the screen", async () => {
    const dir = path.join(home, "no-tpm");
    const csv = path.join(home, "no-tpm.csv");
    const run = (...args: string[]) => apsim(home, services.adminToken, ...args);
    expect((await run("device", "create", "--vendor", "IFX", "--model", "custom-desktop-no-tpm", "--dir", dir)).code).to.equal(0);
    expect((await run("device", "hash", "--dir", dir, "--csv", csv, "--group-tag", "Lobby")).code).to.equal(0);
    expect((await run("admin", "import-csv", "--server", services.url, csv)).code).to.equal(0);
    const admin = { serverUrl: services.url, adminToken: services.adminToken, ca: await loadTlsTrust(home) };
    await createProfileAt(admin, { name: "Lobby screens", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Lobby" } });
    const oobe = await run("device", "oobe", "--dir", dir, "--server", services.url);
    expect(oobe.code).to.equal(1);
    expect(oobe.stdout).to.match(/Securing your hardware \(Failed: 0x800705b4\)/);
    expect(oobe.stdout).to.match(/Joining your organization's network \(Previous step failed\)/);
  });
});
