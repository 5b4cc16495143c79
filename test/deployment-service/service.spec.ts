import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request, type Dispatcher } from "undici";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import {
  createProfileAt,
  createUserAt,
  deploymentServiceMount,
  grantConsentAt,
  importCsvAt,
  listDevicesAt,
  revokeConsentAt,
  type DeploymentAdminClientOptions,
} from "../../deployment-service/index.js";
import { ManualClock, createHttpsAgent } from "../../lib/index.js";
import { AUTOPILOT_PROFILE_PATH, buildDiscoverRequest, formatAutopilotCsv, parseDiscoverResponse, type ProtocolError, parseAutopilotConfigurationFile } from "../../protocol/index.js";
import { TEST_PASSWORD_COST, hardwareHashOf } from "./support/directory.js";

/** A JSON answer: an error body, a registration, or a profile file. */
interface Answer {
  readonly error?: { readonly code: string };
  readonly imported?: readonly { readonly devicePhysicalIds: readonly string[] }[];
  readonly [property: string]: unknown;
}

describe("deployment-service/service over HTTPS", function () {
  this.timeout(60_000);
  let home: string;
  let dispatcher: Dispatcher;
  let services: RunningServices;
  let client: DeploymentAdminClientOptions;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-deployment-"));
    const ca = await loadTlsTrust(home);
    dispatcher = createHttpsAgent({ ca });
    services = await startServices({
      home,
      port: 0,
      services: [],
      clock: new ManualClock(Date.UTC(2026, 2, 1)),
      extraServices: [deploymentServiceMount({ tenantDomain: "fabrikam.example", passwordCost: TEST_PASSWORD_COST })],
    });
    client = { serverUrl: services.url, adminToken: services.adminToken, ca };
  });
  after(async () => {
    await services?.close();
    await dispatcher?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function post(pathname: string, body: unknown, headers: Record<string, string> = {}) {
    const answer = await request(`${services.url}${pathname}`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: answer.statusCode, body: (await answer.body.json()) as Answer };
  }

  it("refuses every admin route without the admin token, with the registry's 401 body", async () => {
    for (const [method, pathname] of [
      ["GET", "deployment/v1/admin/devices"],
      ["POST", "deployment/v1/admin/users"],
      ["POST", "deployment/v1/admin/profiles"],
      ["PUT", "deployment/v1/admin/consents/oem-1"],
      ["GET", "deployment/v1/admin/tenant"],
      ["POST", "deployment/v1/partners/oem-1/devices"],
    ] as const) {
      for (const authorization of [undefined, "Bearer wrong-token-wrong-token-wrong", `Basic ${services.adminToken}`]) {
        const answer = await request(`${services.url}${pathname}`, {
          method,
          dispatcher,
          headers: { accept: "application/json", ...(authorization === undefined ? {} : { authorization }) },
        });
        expect(answer.statusCode, `${method} ${pathname}`).to.equal(401);
        expect(answer.headers["www-authenticate"]).to.contain("Bearer");
        expect(((await answer.body.json()) as { error: { code: string; hresult: string } }).error).to.include({ code: "UNAUTHORIZED", hresult: "0x80190191" });
      }
    }
    const wrong = { ...client, adminToken: "x".repeat(43) };
    let code = "";
    await listDevicesAt(wrong).catch((error: unknown) => (code = (error as ProtocolError).code));
    expect(code).to.equal("UNAUTHORIZED");
  });

  it("imports a CSV, serves the assigned profile to the device, and tells unregistered and unassigned devices apart", async () => {
    const csv = formatAutopilotCsv([
      { serialNumber: "SN-1", productId: "", hardwareHash: hardwareHashOf(1, "Fabrikam", "Surface 9"), groupTag: "Kiosk", assignedUser: "" },
      { serialNumber: "SN-2", productId: "", hardwareHash: hardwareHashOf(2), groupTag: "", assignedUser: "ada@fabrikam.example" },
      { serialNumber: "SN-3", productId: "", hardwareHash: hardwareHashOf(3), groupTag: "", assignedUser: "ada@contoso.example" },
    ]);
    const imported = await importCsvAt(client, Buffer.from(csv, "latin1"));
    expect(imported.imported.map((d) => d.serialNumber)).to.deep.equal(["SN-1", "SN-2"]);
    expect(imported.errors.map((e) => [e.row, e.code])).to.deep.equal([[4, "USER_DOMAIN_UNKNOWN"]]);
    const devices = await listDevicesAt(client);
    const kiosk = devices.find((d) => d.serialNumber === "SN-1")!;
    expect(kiosk).to.include({ manufacturer: "Fabrikam", model: "Surface 9", groupTag: "Kiosk" });
    expect(kiosk.devicePhysicalIds).to.deep.equal([`[ZTDID]:${kiosk.id}`, "[OrderID]:Kiosk"]);

    const profile = await createProfileAt(client, { name: "Kiosk", settings: { mode: "self-deploying", deviceNameTemplate: "K-%SERIAL%" }, assignTo: { groupTag: "Kiosk" } });
    expect(profile.settings).to.include({ mode: "self-deploying", join: "entra" });

    const served = await post(AUTOPILOT_PROFILE_PATH, { hardwareHash: hardwareHashOf(1, "Fabrikam", "Surface 9"), serialNumber: "SN-1" });
    expect(served.status).to.equal(200);
    const file = parseAutopilotConfigurationFile(served.body);
    expect(file).to.include({ CloudAssignedTenantDomain: "fabrikam.example", DeploymentProfileName: "Kiosk", ZtdRegistrationId: kiosk.id, CloudAssignedDeviceName: "K-%SERIAL%" });

    const unassigned = await post(AUTOPILOT_PROFILE_PATH, { hardwareHash: hardwareHashOf(2) });
    expect([unassigned.status, unassigned.body.error?.code]).to.deep.equal([404, "DEVICE_PROFILE_NOT_ASSIGNED"]);
    const unregistered = await post(AUTOPILOT_PROFILE_PATH, { hardwareHash: hardwareHashOf(3) });
    expect([unregistered.status, unregistered.body.error?.code]).to.deep.equal([404, "DEVICE_NOT_REGISTERED"]);
    const malformed = await post(AUTOPILOT_PROFILE_PATH, { hardwareHash: 42 });
    expect([malformed.status, malformed.body.error?.code]).to.deep.equal([400, "MALFORMED_REQUEST"]);

    const offline = await request(`${services.url}deployment/v1/admin/profiles/${profile.id}/offline-file`, {
      dispatcher,
      headers: { authorization: `Bearer ${services.adminToken}` },
    });
    expect(parseAutopilotConfigurationFile(Buffer.from(await offline.body.arrayBuffer()))).to.include({ ZtdCorrelationId: profile.id });
  });

  it("creates users and lets a partner register devices only while consent stands", async () => {
    expect(await createUserAt(client, { upn: "bob@fabrikam.example", password: "Passw0rd!" })).to.include({ upn: "bob@fabrikam.example" });
    const auth = { authorization: `Bearer ${services.adminToken}` };
    const devices = { devices: [{ serialNumber: "OEM-1", hardwareHash: hardwareHashOf(11), purchaseOrderId: "PO-1" }] };
    const refused = await post("deployment/v1/partners/oem-contoso/devices", devices, auth);
    expect([refused.status, refused.body.error?.code]).to.deep.equal([403, "PARTNER_CONSENT_REQUIRED"]);
    await grantConsentAt(client, "oem-contoso");
    const accepted = await post("deployment/v1/partners/oem-contoso/devices", devices, auth);
    expect(accepted.status).to.equal(200);
    expect(accepted.body.imported?.[0]?.devicePhysicalIds).to.include("[PurchaseOrderId]:PO-1");
    await revokeConsentAt(client, "oem-contoso");
    const again = await post("deployment/v1/partners/oem-contoso/devices", { devices: [{ serialNumber: "OEM-2", hardwareHash: hardwareHashOf(12) }] }, auth);
    expect(again.status).to.equal(403);
  });

  it("serves MDM discovery on the root of the base URL, pointing the device at this server's enrollment endpoints", async () => {
    const get = await request(`${services.url}EnrollmentServer/Discovery.svc`, { dispatcher });
    await get.body.dump();
    expect(get.statusCode).to.equal(200);
    const discover = buildDiscoverRequest({
      messageId: "urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749",
      emailAddress: "bob@fabrikam.example",
      requestVersion: "4.0",
      deviceType: "CIMClient_Windows",
      applicationVersion: "10.0.19043.1202",
      osEdition: "48",
      authPolicies: ["OnPremise", "Federated"],
    });
    const answer = await request(`${services.url}EnrollmentServer/Discovery.svc`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/soap+xml; charset=utf-8" },
      body: discover,
    });
    expect(answer.statusCode).to.equal(200);
    const response = parseDiscoverResponse(await answer.body.text());
    expect(response.relatesTo).to.equal("urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749");
    expect(new URL(response.enrollmentServiceUrl).origin).to.equal(new URL(services.url).origin);
  });
});
