/**
 * The payload catalogue over HTTPS: the admin API, the content route, and what a device's management session
 * receives from it (each missing payload queued once, at the session's start).
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { request } from "undici";
import { CspTree, createManagementTransport, runManagementSession, type DeviceIdentity, type ManagementTransport } from "../../../../agent/index.js";
import { createHttpsAgent } from "../../../../lib/index.js";
import { PayloadTestServer, type EnrolledTestDevice } from "../../../support/payload-server.js";

const PRODUCT_CODE = "{6E1B0C9A-5D2F-4C11-9B7E-0123456789AB}";
const MSI_ROOT = `./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/${PRODUCT_CODE}`;
const msiBytes = Buffer.from("MSI package bytes of the line-of-business tool");

describe("deployment-service/mdm/assignments: the payload catalogue and its delivery", function () {
  this.timeout(60_000);
  let server: PayloadTestServer;
  const transports: ManagementTransport[] = [];

  before(async () => {
    server = await PayloadTestServer.start();
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
  });
  after(async () => {
    await server.close();
  });

  async function sync(device: EnrolledTestDevice, tree?: CspTree): Promise<CspTree> {
    const identity: DeviceIdentity = { deviceId: device.deviceId, manufacturer: "Contoso", model: "Laptop 7", providerId: "apsim" };
    const csp = tree ?? (await CspTree.open({ identity }));
    const transport = createManagementTransport({ serverUrl: server.managementUrl, clientCertificate: device.certificate, privateKey: device.key, ca: server.tls.ca, clock: server.clock });
    transports.push(transport);
    await runManagementSession({ identity, serverUrl: server.managementUrl, tree: csp, transport: transport.send, sessionId: 1 });
    return csp;
  }

  it("keeps payloads behind the admin token, lists, shows and deletes them, and refuses malformed ones", async () => {
    const document = { kind: "policy", name: "Lock screen camera", area: "DeviceLock", policy: "PreventLockScreenCamera", value: "1", assignments: { allDevices: true } };
    expect((await server.admin("POST", "/deployment/v1/admin/payloads", document, "wrong")).status).to.equal(401);
    const bad = await server.admin("POST", "/deployment/v1/admin/payloads", { ...document, value: "yes" });
    expect(bad.status).to.equal(400);
    expect((bad.json as { error: { code: string } }).error.code).to.equal("PAYLOAD_INVALID");
    const { payloadId } = await server.addPayload(document);
    const shown = await server.admin("GET", `/deployment/v1/admin/payloads/${payloadId}`);
    expect(shown.json).to.deep.include({ payloadId, kind: "policy", policy: "PreventLockScreenCamera" });
    const listed = (await server.admin("GET", "/deployment/v1/admin/payloads")).json as { payloads: { payloadId: string }[] };
    expect(listed.payloads.map((payload) => payload.payloadId)).to.include(payloadId);
    expect((await server.admin("DELETE", `/deployment/v1/admin/payloads/${payloadId}`)).status).to.equal(204);
    const gone = await server.admin("GET", `/deployment/v1/admin/payloads/${payloadId}`);
    expect(gone.status).to.equal(404);
    expect((gone.json as { error: { code: string } }).error.code).to.equal("PAYLOAD_NOT_FOUND");
  });

  it("serves app content whose SHA-256 the catalogue records", async () => {
    const { content } = await server.addPayload({ kind: "msi", name: "Served", productCode: "{00000000-0000-4000-8000-000000000001}", productVersion: "1.0", content: msiBytes.toString("base64") });
    expect(content).to.deep.include({ sha256: createHash("sha256").update(msiBytes).digest("hex"), size: msiBytes.length });
    const dispatcher = createHttpsAgent({ ca: server.tls.ca });
    try {
      const answer = await request(new URL(`/deployment/v1/content/${content!.contentId}`, server.baseUrl), { dispatcher });
      expect(answer.statusCode).to.equal(200);
      expect(Buffer.from(await answer.body.arrayBuffer()).equals(msiBytes)).to.equal(true);
      const missing = await request(new URL("/deployment/v1/content/no-such-content", server.baseUrl), { dispatcher, headers: { accept: "application/json" } });
      expect(missing.statusCode).to.equal(404);
      expect(((await missing.body.json()) as { error: { code: string } }).error.code).to.equal("PAYLOAD_CONTENT_NOT_FOUND");
    } finally {
      await dispatcher.close();
    }
  });

  it("queues a device's group payloads at its session start, once; the CSP tree applies policies and records the MSI job and edition upgrade", async () => {
    await server.addPayload({ kind: "policy", name: "No camera", area: "Camera", policy: "AllowCamera", value: "0", assignments: { groups: ["engineering"] } });
    await server.addPayload({ kind: "policy", name: "Updates", area: "Update", policy: "AllowAutoUpdate", value: "1", assignments: { groups: ["engineering"] } });
    await server.addPayload({ kind: "policy", name: "Home page", context: "user", area: "Browser", policy: "HomePages", value: "https://intranet.contoso.example", format: "chr", assignments: { groups: ["engineering"] } });
    await server.addPayload({ kind: "policy", name: "Elsewhere", area: "Camera", policy: "AllowCamera", value: "1", assignments: { groups: ["finance"] } });
    await server.addPayload({ kind: "msi", name: "Tool", productCode: PRODUCT_CODE, productVersion: "3.1", content: msiBytes.toString("base64"), assignments: { groups: ["engineering"] } });
    await server.addPayload({ kind: "edition-upgrade", name: "Enterprise", edition: "Enterprise", productKey: "NPPR9-FWDCX-D2C8J-H872K-2YT43", assignments: { groups: ["engineering"] } });
    await server.addPayload({ kind: "script", name: "Hello", script: "Write-Output hello", assignments: { groups: ["engineering"] } });

    const device = await server.enroll({ groups: ["engineering"] });
    const tree = await sync(device);
    expect(tree.read("./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera")?.value).to.equal("0");
    expect(tree.read("./Device/Vendor/MSFT/Policy/Config/Update/AllowAutoUpdate")?.value).to.equal("1");
    // no user enrolled: the user-context policy waits for one
    expect(tree.read("./User/Vendor/MSFT/Policy/Config/Browser/HomePages")).to.equal(undefined);
    expect(tree.read(`${MSI_ROOT}/Status`)?.value).to.equal("10");
    expect(tree.execRecords().map((record) => record.locUri)).to.deep.equal([`${MSI_ROOT}/DownloadInstall`, "./Device/Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey"]);

    const commands = await server.commandsOf(device);
    expect(commands.map((command) => `${command.spec.kind}:${command.state}:${command.status}`)).to.deep.equal([
      "Replace:completed:200",
      "Replace:completed:200",
      "Add:completed:200",
      "Exec:completed:202",
      "Exec:completed:200",
    ]);
    await sync(device, tree);
    expect(await server.commandsOf(device)).to.have.length(commands.length);
  });

  it("gives user-context payloads once the device enrolled for a user", async () => {
    const device = await server.enroll({ groups: ["engineering"], userPrincipalName: "ada@contoso.example" });
    const tree = await sync(device);
    expect(tree.read("./User/Vendor/MSFT/Policy/Config/Browser/HomePages")?.value).to.equal("https://intranet.contoso.example");
  });

  it("refuses Win32 and MSI apps together on a pre-provisioned device and queues it nothing", async () => {
    await server.addPayload({ kind: "win32", name: "Agent", appId: "agent", content: Buffer.from("intunewin").toString("base64"), installCommand: "setup.exe /S", assignments: { groups: ["kiosk"] } });
    await server.addPayload({ kind: "msi", name: "Kiosk tool", productCode: "{00000000-0000-4000-8000-000000000002}", productVersion: "1.0", content: "AAAA", assignments: { groups: ["kiosk"] } });
    const device = await server.enroll({ groups: ["kiosk"], mode: "pre-provisioning" });
    const resolved = await server.admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/payloads`);
    expect(resolved.status).to.equal(409);
    expect((resolved.json as { error: { code: string } }).error.code).to.equal("PAYLOAD_MIXED_APP_TYPES");
    await sync(device);
    expect(await server.commandsOf(device)).to.deep.equal([]);

    const userDriven = await server.enroll({ groups: ["kiosk"] });
    const kinds = ((await server.admin("GET", `/deployment/v1/admin/devices/${userDriven.enrollmentId}/payloads`)).json as { payloads: { kind: string }[] }).payloads.map((payload) => payload.kind);
    expect(kinds).to.deep.equal(["win32", "msi"]);
  });
});
