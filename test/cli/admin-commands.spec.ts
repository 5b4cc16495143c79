import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request, type Dispatcher } from "undici";
import { loadTlsTrust } from "../../certs/index.js";
import { createHttpsAgent } from "../../lib/index.js";
import { AUTOPILOT_PROFILE_PATH, formatAutopilotCsv, parseAutopilotConfigurationFile } from "../../protocol/index.js";
import { hardwareHashOf } from "../deployment-service/support/directory.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

/** Spawns `apsim serve deployment --json` and resolves with the child and its URL once listening. */
function serveDeployment(home: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--home", home, "serve", "deployment", "--tenant-domain", "fabrikam.example", "--json"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      try {
        resolve({ child, url: (JSON.parse(stdout) as { url: string }).url, exited });
      } catch {
        // the document is not complete yet
      }
    });
    void exited.then((code) => reject(new Error(`apsim exited (${code}) before listening: ${stderr}`)));
  });
}

function apsim(home: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args], { timeout: 60_000, env: { ...process.env, APSIM_ADMIN_TOKEN: "", ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("apsim serve deployment / admin import-csv, profile create|export, user, consent, devices", function () {
  this.timeout(180_000);
  let home: string;
  let dispatcher: Dispatcher;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-admin-"));
    dispatcher = createHttpsAgent({ ca: await loadTlsTrust(home) });
  });
  after(async () => {
    await dispatcher.close();
    await rm(home, { recursive: true, force: true });
  });

  it("registers devices from a CSV, creates a profile the device then gets, a user, consent, and lists the devices", async () => {
    const server = await serveDeployment(home);
    try {
      const admin = (...args: string[]) => apsim(home, {}, "admin", ...args, "--server", server.url);
      const csv = path.join(home, "devices.csv");
      await writeFile(
        csv,
        formatAutopilotCsv([
          { serialNumber: "SN-1", productId: "", hardwareHash: hardwareHashOf(1), groupTag: "Sales", assignedUser: "" },
          { serialNumber: "SN-2", productId: "", hardwareHash: hardwareHashOf(2), groupTag: "", assignedUser: "eve@contoso.example" },
        ]),
        "latin1",
      );
      const imported = await admin("import-csv", csv, "--json");
      expect(imported.code, "a refused row fails the import").to.equal(1);
      const document = JSON.parse(imported.stdout) as { imported: { serialNumber: string }[]; errors: { row: number; code: string; message: string }[] };
      expect(document.imported.map((d) => d.serialNumber)).to.deep.equal(["SN-1"]);
      expect(document.errors).to.deep.include({ row: 3, code: "USER_DOMAIN_UNKNOWN", message: document.errors[0]!.message });

      const created = await admin("profile", "create", "--name", "Sales", "--mode", "user-driven", "--allow-pre-provisioning", "--join", "entra", "--group-tag", "Sales", "--device-name", "S-%SERIAL%");
      expect(created.code, created.stderr).to.equal(0);
      const bad = await admin("profile", "create", "--name", "Long", "--mode", "user-driven", "--device-name", "FAR-TOO-LONG-NAME-%SERIAL%");
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.contain("longer than 15");

      const answer = await request(`${server.url}${AUTOPILOT_PROFILE_PATH}`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hardwareHash: hardwareHashOf(1) }),
      });
      expect(await answer.body.json()).to.include({ DeploymentProfileName: "Sales", CloudAssignedPreProvisioningAllowed: 1, CloudAssignedTenantDomain: "fabrikam.example" });

      const offline = path.join(home, "AutopilotConfigurationFile.json");
      const exported = await admin("profile", "export", "--name", "Sales", "--out", offline);
      expect(exported.code, exported.stderr).to.equal(0);
      expect(parseAutopilotConfigurationFile(await readFile(offline))).to.include({ DeploymentProfileName: "Sales", CloudAssignedDeviceName: "S-%SERIAL%" });
      expect((await admin("profile", "export", "--name", "Nope")).code).to.equal(1);

      expect((await admin("user", "create", "--upn", "ada@fabrikam.example", "--password", "correct horse")).code).to.equal(0);
      const granted = await admin("consent", "grant", "--partner", "oem-1", "--json");
      expect(JSON.parse(granted.stdout)).to.include({ partnerId: "oem-1" });
      expect((await admin("consent", "revoke", "--partner", "oem-1")).code).to.equal(0);
      const revokedAgain = await admin("consent", "revoke", "--partner", "oem-1");
      expect([revokedAgain.code, revokedAgain.stderr.includes("no consent")]).to.deep.equal([1, true]);

      const devices = await admin("devices", "--json");
      const listed = JSON.parse(devices.stdout) as { devices: { serialNumber: string; devicePhysicalIds: string[] }[] };
      expect(listed.devices.map((d) => [d.serialNumber, d.devicePhysicalIds[1]])).to.deep.equal([["SN-1", "[OrderID]:Sales"]]);

      const unauthorized = await apsim(home, { APSIM_ADMIN_TOKEN: "y".repeat(43) }, "admin", "devices", "--server", server.url, "--admin-token", "x".repeat(43));
      expect(unauthorized.code).to.equal(1);
      expect(unauthorized.stderr).to.contain("missing or invalid admin token");
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).to.equal(0);
    }
  });
});
