/**
 * After OOBE, the device's management sessions against `apsim up`'s services: a policy the administrator queues
 * reaches the device at its next sync over mutual TLS, and its status comes back to the admin API.
 */
import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { ENROLLMENT_DIR, VirtualDevice } from "../../agent/index.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount, importCsvAt, type CommandRecord, type DeploymentAdminClientOptions } from "../../deployment-service/index.js";
import { createHttpsAgent } from "../../lib/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";

describe("e2e: MDM management sessions after OOBE", function () {
  this.timeout(120_000);
  let home: string;
  let ca: string;
  let services: RunningServices;
  let admin: DeploymentAdminClientOptions;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-sync-"));
    services = await startServices({ home, port: 0, extraServices: [deploymentServiceMount({ tenantDomain: "contoso.example", passwordCost: TEST_PASSWORD_COST })] });
    ca = await loadTlsTrust(home);
    admin = { serverUrl: services.url, adminToken: services.adminToken, ca };
    await createProfileAt(admin, { name: "Kiosks", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Kiosk" } });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function adminRequest(method: "GET" | "POST", pathname: string, body?: unknown): Promise<{ status: number; json: unknown }> {
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

  it("a self-deployed device syncs, receives the queued policy into its CSP settings, and the status is stored", async () => {
    const device = await VirtualDevice.create({ dir: path.join(home, "devices", "kiosk"), home, vendor: "IFX", seed: Buffer.alloc(32, 0x5a) });
    const imported = await importCsvAt(admin, Buffer.from(await device.autopilotCsv({ groupTag: "Kiosk" }), "latin1"));
    expect(imported.errors ?? []).to.deep.equal([]);
    const oobe = await device.oobe({ serverUrl: services.url, ca, enrollmentKeySource: () => Promise.resolve(enrollmentKey) });
    expect(oobe.ok, JSON.stringify(oobe.steps)).to.equal(true);
    const enrollment = await device.enrollment();

    const queued = await adminRequest("POST", `/deployment/v1/admin/devices/${enrollment!.enrollmentId}/commands`, {
      kind: "Replace",
      items: [{ target: CAMERA, format: "int", data: "0" }],
    });
    expect(queued.status, JSON.stringify(queued.json)).to.equal(201);

    const first = await device.sync({ ca });
    // OOBE's device setup ran session 1.
    expect(first).to.include({ sessionId: "2", commandsAnswered: 1 });
    const settings = JSON.parse(await readFile(path.join(device.dir, ENROLLMENT_DIR, "csp-settings.json"), "utf8")) as { nodes: Record<string, { value: string }> };
    expect(settings.nodes[CAMERA]?.value).to.equal("0");

    const listed = await adminRequest("GET", `/deployment/v1/admin/devices/${enrollment!.enrollmentId}/commands`);
    const [command] = (listed.json as { commands: CommandRecord[] }).commands;
    expect(command).to.include({ state: "completed", status: 200, sessionId: "2" });

    const second = await device.sync({ ca });
    expect(second).to.include({ sessionId: "3", commandsAnswered: 0 });
  });
});
