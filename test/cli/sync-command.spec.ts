/** `apsim device sync` as a user runs it: one management session of an enrolled device, against services in this process. */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { VirtualDevice } from "../../agent/index.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount, importCsvAt } from "../../deployment-service/index.js";
import { createHttpsAgent } from "../../lib/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });

function apsim(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("apsim device sync", function () {
  this.timeout(120_000);
  let home: string;
  let ca: string;
  let services: RunningServices;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-sync-cli-"));
    services = await startServices({ home, port: 0, extraServices: [deploymentServiceMount({ passwordCost: TEST_PASSWORD_COST })] });
    ca = await loadTlsTrust(home);
    await createProfileAt({ serverUrl: services.url, adminToken: services.adminToken, ca }, { name: "Kiosks", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Kiosk" } });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("runs one session of an enrolled device and prints what it applied as one JSON document", async () => {
    const device = await VirtualDevice.create({ dir: path.join(home, "kiosk"), home, vendor: "IFX", seed: Buffer.alloc(32, 0x33) });
    await importCsvAt({ serverUrl: services.url, adminToken: services.adminToken, ca }, Buffer.from(await device.autopilotCsv({ groupTag: "Kiosk" }), "latin1"));
    expect((await device.oobe({ serverUrl: services.url, ca, enrollmentKeySource: () => Promise.resolve(enrollmentKey) })).ok).to.equal(true);
    const { enrollmentId } = (await device.enrollment())!;
    const dispatcher = createHttpsAgent({ ca });
    try {
      const queued = await request(new URL(`/deployment/v1/admin/devices/${enrollmentId}/commands`, services.url), {
        method: "POST",
        dispatcher,
        headers: { authorization: `Bearer ${services.adminToken}`, "content-type": "application/json" },
        body: JSON.stringify({ kind: "Get", items: [{ target: "./DevInfo/Man" }] }),
      });
      expect(queued.statusCode).to.equal(201);
      await queued.body.dump();
    } finally {
      await dispatcher.close();
    }

    const sync = await apsim(home, "device", "sync", "--dir", device.dir, "--json");
    expect(sync.code, sync.stderr).to.equal(0);
    // OOBE's device setup ran session 1.
    expect(JSON.parse(sync.stdout)).to.include({ sessionId: "2", commandsAnswered: 1, messagesSent: 2 });
  });

  it("refuses a device that never enrolled with exit code 1 and a one-line reason", async () => {
    const device = await VirtualDevice.create({ dir: path.join(home, "fresh"), home, vendor: "IFX", seed: Buffer.alloc(32, 0x44) });
    const sync = await apsim(home, "device", "sync", "--dir", device.dir);
    expect(sync.code).to.equal(1);
    expect(sync.stderr).to.match(/no MDM enrollment/);
  });
});
