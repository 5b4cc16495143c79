/**
 * What a managed device gets, end to end against `apsim up`'s services: a self-deployed kiosk in a dynamic group
 * syncs after OOBE and receives three policies, an MSI app, a Win32 app and a script; each is applied and read back
 * (policies and the MSI's Status with Get, the Win32 app and script through the management extension's results),
 * and an MSI app whose content no longer matches its hash fails with TRUST_E_BAD_DIGEST.
 */
import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { request } from "undici";
import { HRESULT_BAD_DIGEST, MSI_STATUS, VirtualDevice } from "../../agent/index.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount, importCsvAt, type CommandRecord, type DeploymentAdminClientOptions, type DeploymentService } from "../../deployment-service/index.js";
import type { PayloadDatabase } from "../../deployment-service/mdm/index.js";
import { ManualClock, createHttpsAgent } from "../../lib/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const GOOD_MSI = "{11111111-2222-4333-8444-555555555555}";
const BAD_MSI = "{11111111-2222-4333-8444-666666666666}";
const msiRoot = (code: string) => `./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/${code}`;
const POLICIES = [
  ["Camera", "AllowCamera", "0"],
  ["Update", "AllowAutoUpdate", "1"],
  ["DeviceLock", "PreventLockScreenSlideShow", "1"],
] as const;

describe("e2e: policies, apps and scripts reach a managed device", function () {
  this.timeout(180_000);
  let home: string;
  let ca: string;
  let services: RunningServices;
  let admin: DeploymentAdminClientOptions;
  let deployment: DeploymentService | undefined;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-payloads-e2e-"));
    const mount = deploymentServiceMount({ tenantDomain: "contoso.example", passwordCost: TEST_PASSWORD_COST });
    services = await startServices({
      home,
      port: 0,
      extraServices: [
        async (app, context) => {
          deployment = await mount(app, context);
          return deployment;
        },
      ],
    });
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

  async function addPayload(document: Record<string, unknown>): Promise<{ payloadId: string; content?: { contentId: string } }> {
    const answer = await adminRequest("POST", "/deployment/v1/admin/payloads", document);
    expect(answer.status, JSON.stringify(answer.json)).to.equal(201);
    return answer.json as { payloadId: string; content?: { contentId: string } };
  }

  it("a device that completed OOBE syncs and gets 3 policies, 1 MSI app, 1 Win32 app and 1 script; a corrupted MSI fails", async () => {
    const group = await adminRequest("POST", "/deployment/v1/admin/groups", { name: "Kiosk devices", rule: '(device.devicePhysicalIds -any (_ -eq "[OrderID]:Kiosk"))' });
    expect(group.status, JSON.stringify(group.json)).to.equal(201);
    const assignments = { groups: [(group.json as { id: string }).id] };
    for (const [area, policy, value] of POLICIES) await addPayload({ kind: "policy", name: `${area}/${policy}`, area, policy, value, assignments });
    await addPayload({ kind: "msi", name: "Kiosk shell", productCode: GOOD_MSI, productVersion: "4.2", content: Buffer.from("kiosk shell msi").toString("base64"), assignments });
    const bad = await addPayload({ kind: "msi", name: "Tampered", productCode: BAD_MSI, productVersion: "1.0", content: Buffer.from("original").toString("base64"), assignments });
    const win32 = await addPayload({ kind: "win32", name: "Signage player", appId: "signage-player", content: Buffer.from("intunewin player").toString("base64"), installCommand: "install.cmd", assignments });
    const script = await addPayload({ kind: "script", name: "Set wallpaper", script: "Set-ItemProperty -Path HKCU:Control Panel\\Desktop -Name Wallpaper -Value C:\\kiosk.png", assignments });
    // The content store is changed behind the catalogue's back: the announced SHA-256 no longer matches.
    await (deployment!.store.db as unknown as Kysely<PayloadDatabase>).updateTable("mdm_payload_content").set({ data: Buffer.from("tampered").toString("base64") }).where("content_id", "=", bad.content!.contentId).execute();

    const device = await VirtualDevice.create({ dir: path.join(home, "devices", "kiosk"), home, vendor: "IFX", seed: Buffer.alloc(32, 0x6b) });
    const imported = await importCsvAt(admin, Buffer.from(await device.autopilotCsv({ groupTag: "Kiosk" }), "latin1"));
    expect(imported.errors ?? []).to.deep.equal([]);
    const oobe = await device.oobe({ serverUrl: services.url, ca, enrollmentKeySource: () => Promise.resolve(enrollmentKey) });
    expect(oobe.ok, JSON.stringify(oobe.steps)).to.equal(true);
    const enrollment = (await device.enrollment())!;

    const clock = new ManualClock(Date.now());
    const synced = await device.sync({
      ca,
      clock,
      apps: {
        scenarios: { [GOOD_MSI]: { installMs: 45_000, outcome: "success" }, "signage-player": { installMs: 20_000, outcome: "reboot" }, "Set wallpaper": { installMs: 1_000, outcome: "success" } },
        elapse: (ms) => Promise.resolve(clock.advance(ms)),
      },
    });
    expect(synced.apps.map((report) => `${report.kind}:${report.key}:${report.outcome}:${report.exitCode}`)).to.have.members([
      `msi:${GOOD_MSI}:success:0`,
      `msi:${BAD_MSI}:failure:${HRESULT_BAD_DIGEST}`,
      "win32:signage-player:reboot:3010",
      "script:Set wallpaper:success:0",
    ]);

    const targets = [
      ...POLICIES.map(([area, policy]) => `./Device/Vendor/MSFT/Policy/Config/${area}/${policy}`),
      `${msiRoot(GOOD_MSI)}/Status`,
      `${msiRoot(GOOD_MSI)}/LastError`,
      `${msiRoot(BAD_MSI)}/Status`,
      `${msiRoot(BAD_MSI)}/LastError`,
    ];
    const get = await adminRequest("POST", `/deployment/v1/admin/devices/${enrollment.enrollmentId}/commands`, { kind: "Get", items: targets.map((target) => ({ target })) });
    expect(get.status, JSON.stringify(get.json)).to.equal(201);
    await device.sync({ ca, clock });
    const readBack = (await adminRequest("GET", `/deployment/v1/admin/devices/${enrollment.enrollmentId}/commands/${(get.json as CommandRecord).commandId}`)).json as CommandRecord;
    expect(readBack).to.include({ state: "completed", status: 200 });
    expect(readBack.results.map((result) => result.data)).to.deep.equal([
      ...POLICIES.map(([, , value]) => value),
      String(MSI_STATUS.enforcementCompleted),
      "0",
      String(MSI_STATUS.downloadFailed),
      String(HRESULT_BAD_DIGEST),
    ]);

    const reported = (await adminRequest("GET", `/deployment/v1/admin/devices/${enrollment.enrollmentId}/extension-results`)).json as { results: { payloadId: string; outcome: string; exitCode: number }[] };
    expect(reported.results.find((result) => result.payloadId === win32.payloadId)).to.include({ outcome: "reboot", exitCode: 3010 });
    expect(reported.results.find((result) => result.payloadId === script.payloadId)).to.include({ outcome: "success", exitCode: 0 });
    const third = await device.sync({ ca, clock });
    expect(third.apps).to.deep.equal([]);
  });
});
