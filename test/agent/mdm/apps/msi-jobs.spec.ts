/**
 * The device runs the MSI jobs its management session recorded: content over HTTPS with the enrollment's client
 * certificate, SHA-256 checked, install time and outcome from the scenario on the device clock, and the CSP's
 * Status / LastError nodes the server reads back at the next session.
 */
import { expect } from "chai";
import {
  CspTree,
  HRESULT_BAD_DIGEST,
  MSI_STATUS,
  createManagementTransport,
  hresultFromWin32,
  runManagementSession,
  runMsiJobs,
  type AppProgress,
  type DeviceIdentity,
} from "../../../../agent/index.js";
import { createHttpsAgent } from "../../../../lib/index.js";
import { PayloadTestServer, type EnrolledTestDevice } from "../../../support/payload-server.js";

const codeOf = (n: number) => `{00000000-0000-4000-8000-00000000000${n}}`;
const msiRoot = (n: number) => `./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/${codeOf(n)}`;

describe("agent/mdm/apps/msi-jobs: installing the MSI apps the server sent", function () {
  this.timeout(60_000);
  let server: PayloadTestServer;

  before(async () => {
    server = await PayloadTestServer.start();
  });
  after(async () => {
    await server.close();
  });

  async function session(device: EnrolledTestDevice, tree: CspTree, sessionId: number): Promise<void> {
    const identity: DeviceIdentity = { deviceId: device.deviceId, manufacturer: "Contoso", model: "Laptop 7", providerId: "apsim" };
    const transport = createManagementTransport({ serverUrl: server.managementUrl, clientCertificate: device.certificate, privateKey: device.key, ca: server.tls.ca, clock: server.clock });
    try {
      await runManagementSession({ identity, serverUrl: server.managementUrl, tree, transport: transport.send, sessionId });
    } finally {
      await transport.close();
    }
  }

  it("installs, fails, asks for a reboot or refuses corrupted content as the scenario says, and the server reads it back", async () => {
    for (const n of [1, 2, 3, 4]) {
      await server.addPayload({ kind: "msi", name: `App ${n}`, productCode: codeOf(n), productVersion: `${n}.0`, content: Buffer.from(`package ${n}`).toString("base64"), assignments: { groups: ["apps"] } });
    }
    const corrupted = ((await server.admin("GET", "/deployment/v1/admin/payloads")).json as { payloads: { productCode?: string; content?: { contentId: string } }[] }).payloads.find(
      (payload) => payload.productCode === codeOf(4),
    )!;
    await server.db.updateTable("mdm_payload_content").set({ data: Buffer.from("tampered").toString("base64") }).where("content_id", "=", corrupted.content!.contentId).execute();

    const device = await server.enroll({ groups: ["apps"] });
    const identity: DeviceIdentity = { deviceId: device.deviceId, manufacturer: "Contoso", model: "Laptop 7", providerId: "apsim" };
    const tree = await CspTree.open({ identity });
    await session(device, tree, 1);
    for (const n of [1, 2, 3, 4]) expect(tree.read(`${msiRoot(n)}/Status`)?.value).to.equal(String(MSI_STATUS.initialized));

    const dispatcher = createHttpsAgent({ ca: server.tls.ca, cert: device.certificate, key: device.key });
    const progress: AppProgress[] = [];
    const started = server.clock.now();
    try {
      const reports = await runMsiJobs(tree, {
        dispatcher,
        clock: server.clock,
        elapse: (ms) => Promise.resolve(server.clock.advance(ms)),
        scenarios: {
          [codeOf(1)]: { installMs: 1_000, outcome: "success" },
          [codeOf(2).toLowerCase()]: { installMs: 5_000, outcome: "failure", exitCode: 1603 },
          [codeOf(3)]: { installMs: 2_000, outcome: "reboot" },
        },
        onProgress: (step) => progress.push(step),
      });
      expect(reports.map((report) => `${report.key}:${report.outcome}:${report.exitCode}:${report.endedAt - report.startedAt}`)).to.deep.equal([
        `${codeOf(1)}:success:0:1000`,
        `${codeOf(2)}:failure:1603:5000`,
        `${codeOf(3)}:reboot:3010:2000`,
        `${codeOf(4)}:failure:${HRESULT_BAD_DIGEST}:0`,
      ]);
      expect(server.clock.now() - started).to.equal(8_000);
      expect(progress.filter((step) => step.key === codeOf(1)).map((step) => step.step)).to.deep.equal(["downloading", "installing", "done"]);
      expect(await runMsiJobs(tree, { dispatcher, clock: server.clock, elapse: () => Promise.reject(new Error("nothing should run")) })).to.deep.equal([]);
    } finally {
      await dispatcher.close();
    }

    const statusUris = [1, 2, 3, 4].flatMap((n) => [`${msiRoot(n)}/Status`, `${msiRoot(n)}/LastError`]);
    const get = await server.admin("POST", `/deployment/v1/admin/devices/${device.deviceId}/commands`, { kind: "Get", items: statusUris.map((target) => ({ target })) });
    expect(get.status).to.equal(201);
    await session(device, tree, 2);
    const command = (await server.admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/commands/${(get.json as { commandId: string }).commandId}`)).json as {
      results: { source: string; data: string }[];
    };
    expect(command.results.map((result) => result.data)).to.deep.equal([
      "70", "0",
      "60", String(hresultFromWin32(1603)),
      "70", String(0x80070bc2 | 0),
      "30", String(HRESULT_BAD_DIGEST),
    ]);
    expect(tree.read(`${msiRoot(1)}/ProductVersion`)?.value).to.equal("1.0");
  });
});
