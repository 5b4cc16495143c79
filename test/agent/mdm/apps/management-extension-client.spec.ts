/**
 * The management extension against the server's channel: Win32 apps and scripts fetched over mutual TLS, run once
 * each with the scenario's outcome, a corrupted download refused, and every outcome reported to the server.
 */
import { expect } from "chai";
import { request } from "undici";
import { HRESULT_BAD_DIGEST, runManagementExtension, type ManagementExtensionRunOptions } from "../../../../agent/index.js";
import { createHttpsAgent } from "../../../../lib/index.js";
import { ProtocolError } from "../../../../protocol/index.js";
import { PayloadTestServer, type EnrolledTestDevice } from "../../../support/payload-server.js";

describe("agent/mdm/apps/management-extension-client: Win32 apps and scripts", function () {
  this.timeout(60_000);
  let server: PayloadTestServer;

  before(async () => {
    server = await PayloadTestServer.start();
  });
  after(async () => {
    await server.close();
  });

  async function withDispatcher<T>(device: EnrolledTestDevice | undefined, work: (options: Omit<ManagementExtensionRunOptions, "deviceId" | "done">) => Promise<T>): Promise<T> {
    const dispatcher = createHttpsAgent(device === undefined ? { ca: server.tls.ca } : { ca: server.tls.ca, cert: device.certificate, key: device.key });
    try {
      return await work({ dispatcher, baseUrl: server.baseUrl, clock: server.clock, elapse: (ms) => Promise.resolve(server.clock.advance(ms)) });
    } finally {
      await dispatcher.close();
    }
  }

  it("runs each new app and script once with its scenario and reports the outcomes", async () => {
    await server.addPayload({ kind: "win32", name: "Agent", appId: "contoso-agent", content: Buffer.from("intunewin agent").toString("base64"), installCommand: "setup.exe /S", assignments: { groups: ["it"] } });
    const broken = await server.addPayload({ kind: "win32", name: "Broken", appId: "broken", content: Buffer.from("intunewin broken").toString("base64"), installCommand: "setup.exe", assignments: { groups: ["it"] } });
    await server.db.updateTable("mdm_payload_content").set({ data: Buffer.from("tampered").toString("base64") }).where("content_id", "=", broken.content!.contentId).execute();
    const script = await server.addPayload({ kind: "script", name: "Rename", script: "Rename-Computer -NewName KIOSK", assignments: { allDevices: true } });
    const device = await server.enroll({ groups: ["it"] });
    const done = new Set<string>();
    const started = server.clock.now();

    const reports = await withDispatcher(device, (options) =>
      runManagementExtension({ ...options, deviceId: device.deviceId, done, scenarios: { "contoso-agent": { installMs: 30_000, outcome: "reboot" }, Rename: { installMs: 500, outcome: "failure", exitCode: 1 } } }),
    );
    expect(reports.map((report) => `${report.kind}:${report.key}:${report.outcome}:${report.exitCode}`)).to.deep.equal([
      "win32:contoso-agent:reboot:3010",
      `win32:broken:failure:${HRESULT_BAD_DIGEST}`,
      "script:Rename:failure:1",
    ]);
    expect(server.clock.now() - started).to.equal(30_500);

    const stored = (await server.admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/extension-results`)).json as { results: { payloadId: string; outcome: string; exitCode: number }[] };
    expect(stored.results.find((result) => result.payloadId === script.payloadId)).to.include({ outcome: "failure", exitCode: 1 });
    expect(stored.results.find((result) => result.payloadId === broken.payloadId)).to.include({ outcome: "failure", exitCode: HRESULT_BAD_DIGEST });
    expect(stored.results).to.have.length(3);

    const again = await withDispatcher(device, (options) => runManagementExtension({ ...options, deviceId: device.deviceId, done }));
    expect(again).to.deep.equal([]);
  });

  it("refuses a device without a certificate or asking for another device's assignments", async () => {
    const device = await server.enroll();
    const other = await server.enroll();
    const codeOf = async (run: Promise<unknown>) => {
      try {
        await run;
      } catch (error) {
        return error instanceof ProtocolError ? `${error.code} ${error.message}` : String(error);
      }
      return "no error";
    };
    expect(await codeOf(withDispatcher(undefined, (options) => runManagementExtension({ ...options, deviceId: device.deviceId, done: new Set() })))).to.match(/^MDM_TRANSPORT_FAILED .*HTTP 403/);
    expect(await codeOf(withDispatcher(device, (options) => runManagementExtension({ ...options, deviceId: other.deviceId, done: new Set() })))).to.match(/^MDM_TRANSPORT_FAILED .*HTTP 403/);
    const posted = await withDispatcher(device, async (options) => {
      const answer = await request(new URL(`/deployment/v1/mde/${device.deviceId}/results`, server.baseUrl), {
        method: "POST",
        dispatcher: options.dispatcher,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ v: 1, results: [{ payloadId: "not-assigned", outcome: "success", exitCode: 0 }] }),
      });
      return { status: answer.statusCode, json: (await answer.body.json()) as { error: { code: string } } };
    });
    expect(posted.status).to.equal(404);
    expect(posted.json.error.code).to.equal("PAYLOAD_NOT_FOUND");
  });
});
