/**
 * The OMA-DM management server over real HTTPS with client certificates: who may open a session, how the queued
 * commands reach a device's CSP tree, what is stored of the answers, and how bad or excess traffic is answered.
 */
import { expect } from "chai";
import { X509Certificate, generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { request } from "undici";
import { CspTree, answerServerMessage, createManagementTransport, runManagementSession, type DeviceIdentity, type ManagementTransport } from "../../../../agent/index.js";
import { issueMdmClientCertificate, loadMdmCa, loadTlsCredentials, type MdmCa, type TlsCredentials } from "../../../../certs/index.js";
import {
  commandQueueMigrations,
  createEnrollmentRegistry,
  enrollmentMigrations,
  registerManagementService,
  type CommandQueueDatabase,
  type CommandRecord,
  type EnrollmentDatabase,
  type EnrollmentRegistry,
} from "../../../../deployment-service/mdm/index.js";
import { ManualClock, createHttpsAgent, createHttpsApp, listenLoopback, openDatabase } from "../../../../lib/index.js";
import { SYNCML_MEDIA_TYPE, buildSyncMl, installProtocolErrorHandler, parseSyncMl, syncHeader, type StatusCommand, type SyncMlMessage } from "../../../../protocol/index.js";

const ADMIN_TOKEN = "management-admin-token";
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const CAMERA_RESULT = "./Device/Vendor/MSFT/Policy/Result/Camera/AllowCamera";
const MAX_COMMANDS_PER_MESSAGE = 2;

interface EnrolledDevice {
  readonly deviceId: string;
  readonly enrollmentId: string;
  readonly certificate: string;
  readonly key: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function rsaKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey }))));
}

describe("deployment-service/mdm/management: the OMA-DM server over mutual TLS", function () {
  this.timeout(60_000);
  let home: string;
  let app: FastifyInstance;
  let tls: TlsCredentials;
  let mdmCa: MdmCa;
  let registry: EnrollmentRegistry;
  let db: Kysely<EnrollmentDatabase & CommandQueueDatabase>;
  let managementUrl: string;
  let baseUrl: string;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  const transports: ManagementTransport[] = [];

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-management-"));
    tls = await loadTlsCredentials(home);
    mdmCa = await loadMdmCa(home);
    const opened = await openDatabase<EnrollmentDatabase & CommandQueueDatabase>(
      { kind: "sqlite", file: ":memory:" },
      {
        migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...enrollmentMigrations(kind), ...commandQueueMigrations(kind) }) }),
        migrationTableName: "test_migrations",
      },
    );
    db = opened.db;
    registry = createEnrollmentRegistry(db);
    const port = await freePort();
    baseUrl = `https://127.0.0.1:${port}/`;
    managementUrl = new URL("/ManagementServer/MDM.svc", baseUrl).toString();
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key, requestCert: true } });
    installProtocolErrorHandler(app);
    app.get("/open", () => Promise.resolve({ ok: true }));
    await registerManagementService(app, {
      managementUrl,
      db,
      registry,
      mdmCaPem: mdmCa.certificatePem,
      clock,
      adminToken: ADMIN_TOKEN,
      maxCommandsPerMessage: MAX_COMMANDS_PER_MESSAGE,
      maxSessions: 1,
      retryAfterSeconds: 7,
    });
    await listenLoopback(app, { port });
  });
  afterEach(async () => {
    for (const transport of transports.splice(0)) await transport.close();
  });
  after(async () => {
    await app.close();
    await db.destroy();
    await rm(home, { recursive: true, force: true });
  });

  async function enroll(ca: MdmCa = mdmCa): Promise<EnrolledDevice> {
    const keys = await rsaKeyPair();
    const deviceId = randomBytes(16).toString("hex").toUpperCase();
    const enrollmentId = randomBytes(8).toString("hex").toUpperCase();
    const issued = await issueMdmClientCertificate(ca, {
      subjectPublicKeyInfo: keys.publicKey.export({ type: "spki", format: "der" }),
      commonName: enrollmentId,
      now: new Date(clock.now()),
    });
    const certificate = issued.toString("pem");
    const node = new X509Certificate(certificate);
    await registry.record({
      enrollmentId,
      deviceId,
      directoryDeviceId: undefined,
      userPrincipalName: undefined,
      enrollmentType: "Device",
      authKind: "OnPremise",
      selfDeploying: false,
      certificateSerial: node.serialNumber.toLowerCase(),
      certificateThumbprint: node.fingerprint.replaceAll(":", ""),
      enrolledAt: clock.now(),
    });
    return { deviceId, enrollmentId, certificate, key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
  }

  function transportOf(device: EnrolledDevice, extra: { wait?: (ms: number) => Promise<void> } = {}): ManagementTransport {
    const transport = createManagementTransport({ serverUrl: managementUrl, clientCertificate: device.certificate, privateKey: device.key, ca: tls.ca, clock, ...extra });
    transports.push(transport);
    return transport;
  }

  function identityOf(device: EnrolledDevice): DeviceIdentity {
    return { deviceId: device.deviceId, manufacturer: "Contoso", model: "Laptop 7", providerId: "apsim" };
  }

  async function post(device: EnrolledDevice | undefined, body: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    const dispatcher = createHttpsAgent(device === undefined ? { ca: tls.ca } : { ca: tls.ca, cert: device.certificate, key: device.key });
    try {
      const answer = await request(`${managementUrl}?mode=Machine&Platform=WoA`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": SYNCML_MEDIA_TYPE },
        body,
      });
      return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
    } finally {
      await dispatcher.close();
    }
  }

  async function admin(method: "GET" | "POST", pathname: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; json: unknown }> {
    const dispatcher = createHttpsAgent({ ca: tls.ca });
    try {
      const answer = await request(new URL(pathname, baseUrl), {
        method,
        dispatcher,
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: answer.statusCode, json: await answer.body.json() };
    } finally {
      await dispatcher.close();
    }
  }

  function errorOf(json: unknown): unknown {
    return (json as { error?: unknown }).error;
  }

  async function queue(device: EnrolledDevice, command: unknown): Promise<CommandRecord> {
    const answer = await admin("POST", `/deployment/v1/admin/devices/${device.deviceId}/commands`, command);
    expect(answer.status, JSON.stringify(answer.json)).to.equal(201);
    return answer.json as CommandRecord;
  }

  async function commandsOf(device: EnrolledDevice): Promise<CommandRecord[]> {
    const answer = await admin("GET", `/deployment/v1/admin/devices/${device.enrollmentId}/commands`);
    expect(answer.status).to.equal(200);
    return (answer.json as { commands: CommandRecord[] }).commands;
  }

  async function fixturePackage(deviceId: string): Promise<string> {
    const text = await readFile(new URL("../../../fixtures/windows-10-19043/syncml-session-start.xml", import.meta.url), "utf8");
    return text.replaceAll("1E08C6E95D8BB843B1278FF45BC60CC6", deviceId);
  }

  function headerStatusOf(message: SyncMlMessage): StatusCommand {
    const first = message.commands[0];
    expect(first?.kind).to.equal("Status");
    return first as StatusCommand;
  }

  it("accepts the captured Windows package 1 from an enrolled device and acknowledges the header and each command", async () => {
    const device = await enroll();
    const answer = await post(device, await fixturePackage(device.deviceId));
    expect(answer.status).to.equal(200);
    expect(String(answer.headers["content-type"])).to.contain(SYNCML_MEDIA_TYPE);
    const reply = parseSyncMl(Buffer.from(answer.text));
    expect(reply.header).to.include({ sessionId: "1", msgId: "1", target: device.deviceId, source: managementUrl });
    expect(headerStatusOf(reply)).to.include({ msgRef: "1", cmdRef: "0", cmd: "SyncHdr", data: 200 });
    const statuses = reply.commands.slice(1).map((command) => command.kind === "Status" && `${command.cmd}:${command.cmdRef}:${command.data}`);
    expect(statuses).to.deep.equal(["Alert:2:200", "Alert:3:200", "Replace:4:200"]);
    expect(reply.final).to.equal(true);
  });

  it("refuses a request without a certificate, one of another CA, an expired one and one whose enrollment was removed; other routes stay open", async () => {
    const expectRefused = async (device: EnrolledDevice | undefined) => {
      const answer = await post(device, await fixturePackage(device?.deviceId ?? "0".repeat(32)));
      expect(answer.status).to.equal(403);
      expect(errorOf(JSON.parse(answer.text))).to.include({ code: "MDM_CLIENT_CERTIFICATE_REFUSED" });
    };
    await expectRefused(undefined);

    // A CA of the same name in another home: same subject, other key.
    await expectRefused(await enroll(await loadMdmCa(path.join(home, "other"))));

    const expiring = await enroll();
    clock.advance(400 * 24 * 3600_000);
    try {
      await expectRefused(expiring);
    } finally {
      clock.advance(-400 * 24 * 3600_000);
    }

    const removed = await enroll();
    expect((await post(removed, await fixturePackage(removed.deviceId))).status).to.equal(200);
    await registry.remove(removed.deviceId);
    await expectRefused(removed);

    const open = await request(new URL("/open", baseUrl), { dispatcher: createHttpsAgent({ ca: tls.ca }) });
    expect(open.statusCode).to.equal(200);
    await open.body.dump();
  });

  it("delivers queued Replace, Get, Add and Atomic in order; the CSP tree applies them; statuses and results are readable", async () => {
    const device = await enroll();
    const replace = await queue(device, { kind: "Replace", items: [{ target: CAMERA, format: "int", data: "0" }] });
    const get = await queue(device, { kind: "Get", items: [{ target: CAMERA_RESULT }] });
    const add = await queue(device, { kind: "Add", items: [{ target: CAMERA, format: "int", data: "1" }] });
    const atomic = await queue(device, {
      kind: "Atomic",
      commands: [
        { kind: "Replace", items: [{ target: "./Device/Vendor/MSFT/Policy/Config/Update/AllowAutoUpdate", format: "int", data: "1" }] },
        { kind: "Replace", items: [{ target: "./Vendor/MSFT/NoSuchCsp/Node", format: "int", data: "1" }] },
      ],
    });
    expect(replace.state).to.equal("queued");
    const tree = await CspTree.open({ identity: identityOf(device) });
    const result = await runManagementSession({ identity: identityOf(device), serverUrl: managementUrl, tree, transport: transportOf(device).send, sessionId: 1 });
    expect(result.messagesSent).to.equal(3);
    expect(tree.read(CAMERA)?.value).to.equal("0");
    expect(tree.read("./Device/Vendor/MSFT/Policy/Config/Update/AllowAutoUpdate")).to.equal(undefined);

    const stored = new Map((await commandsOf(device)).map((command) => [command.commandId, command]));
    expect([...stored.keys()]).to.deep.equal([replace.commandId, get.commandId, add.commandId, atomic.commandId]);
    expect(stored.get(replace.commandId)).to.include({ state: "completed", status: 200, sessionId: "1", msgId: "1" });
    expect(stored.get(get.commandId)).to.include({ state: "completed", status: 200 });
    expect(stored.get(get.commandId)!.results.map((item) => item.data)).to.deep.equal(["0"]);
    expect(stored.get(add.commandId)).to.include({ state: "completed", status: 418 });
    const atomicRecord = stored.get(atomic.commandId)!;
    expect(atomicRecord).to.include({ state: "completed", status: 507, msgId: "2" });
    expect(atomicRecord.statuses.map((status) => `${status.member}:${status.code}`)).to.deep.equal(["null:507", "0:216", "1:404"]);
    const one = await admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/commands/${get.commandId}`);
    expect(one.json).to.deep.include({ commandId: get.commandId, status: 200 });
  });

  it("spreads more commands than fit in one message over several messages of one session (Alert 1222)", async () => {
    const device = await enroll();
    const values = ["1", "0", "1", "0", "1"];
    for (const value of values) await queue(device, { kind: "Replace", items: [{ target: CAMERA, format: "int", data: value }] });
    const tree = await CspTree.open({ identity: identityOf(device) });
    const result = await runManagementSession({ identity: identityOf(device), serverUrl: managementUrl, tree, transport: transportOf(device).send, sessionId: 4 });
    expect(result.commandsAnswered).to.equal(values.length);
    expect(result.messagesSent).to.equal(Math.ceil(values.length / MAX_COMMANDS_PER_MESSAGE) + 1);
    const commands = await commandsOf(device);
    expect(commands.map((command) => `${command.msgId}:${command.status}`)).to.deep.equal(["1:200", "1:200", "2:200", "2:200", "3:200"]);
    expect(tree.read(CAMERA)?.value).to.equal(values.at(-1));
  });

  it("answers malformed SyncML and broken session rules with a SyncHdr Status, and then still serves the device", async () => {
    const device = await enroll();
    const garbage = await post(device, "<SyncML><SyncHdr><SessionID>9</SessionID><MsgID>1</MsgID>");
    expect(garbage.status).to.equal(200);
    expect(headerStatusOf(parseSyncMl(Buffer.from(garbage.text)))).to.include({ data: 400, msgRef: "1" });

    const oldVersion = (await fixturePackage(device.deviceId)).replace("<VerDTD>1.2</VerDTD>", "<VerDTD>1.1</VerDTD>");
    expect(headerStatusOf(parseSyncMl(Buffer.from((await post(device, oldVersion)).text))).data).to.equal(505);

    const outOfSession = (await fixturePackage(device.deviceId)).replace("<MsgID>1</MsgID>", "<MsgID>5</MsgID>");
    expect(headerStatusOf(parseSyncMl(Buffer.from((await post(device, outOfSession)).text))).data).to.equal(400);

    const otherDevice = await fixturePackage("0123456789ABCDEF0123456789ABCDEF");
    expect(headerStatusOf(parseSyncMl(Buffer.from((await post(device, otherDevice)).text))).data).to.equal(403);

    const fine = parseSyncMl(Buffer.from((await post(device, await fixturePackage(device.deviceId))).text));
    expect(headerStatusOf(fine).data).to.equal(200);
  });

  it("answers 429 with Retry-After beyond the sessions in flight, and the device's transport waits and retries", async () => {
    const busy = await enroll();
    await queue(busy, { kind: "Get", items: [{ target: "./DevInfo/DevId" }] });
    const busyTree = await CspTree.open({ identity: identityOf(busy) });
    const opened = parseSyncMl(Buffer.from((await post(busy, await fixturePackage(busy.deviceId))).text));
    expect(opened.commands.map((command) => command.kind)).to.include("Get");

    const waiting = await enroll();
    const refused = await post(waiting, await fixturePackage(waiting.deviceId));
    expect(refused.status).to.equal(429);
    expect(refused.headers["retry-after"]).to.equal("7");
    expect(errorOf(JSON.parse(refused.text))).to.include({ code: "MDM_SERVER_BUSY" });

    // While the waiting device waits, the busy one finishes its session and frees the slot.
    const waits: number[] = [];
    const finishBusySession = async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
      const answer = await answerServerMessage(busyTree, opened, syncHeader({ sessionId: 1, msgId: 2, target: managementUrl, source: busy.deviceId }));
      const last = parseSyncMl(Buffer.from((await post(busy, buildSyncMl(answer.message))).text));
      expect(last.final).to.equal(true);
    };
    const tree = await CspTree.open({ identity: identityOf(waiting) });
    const result = await runManagementSession({
      identity: identityOf(waiting),
      serverUrl: managementUrl,
      tree,
      transport: transportOf(waiting, { wait: finishBusySession }).send,
      sessionId: 1,
    });
    expect(waits).to.deep.equal([7000]);
    expect(result.messagesSent).to.equal(1);
    const [get] = await commandsOf(busy);
    expect(get!.results.map((item) => item.data)).to.deep.equal([busy.deviceId]);
  });

  it("removes the enrollment on the 1226 unenroll alert; the certificate opens no session after", async () => {
    const device = await enroll();
    const unenroll = parseSyncMl(Buffer.from(await fixturePackage(device.deviceId)));
    const message = buildSyncMl({
      ...unenroll,
      commands: [
        ...unenroll.commands,
        { kind: "Alert", cmdId: "5", data: "1226", items: [{ meta: { type: "com.microsoft:mdm.unenrollment.userrequest", format: "int" }, data: "1" }] },
      ],
    });
    const answer = await post(device, message);
    expect(answer.status, answer.text).to.equal(200);
    expect(headerStatusOf(parseSyncMl(Buffer.from(answer.text))).data).to.equal(200);
    expect(await registry.findByDeviceId(device.deviceId)).to.equal(undefined);
    expect((await post(device, await fixturePackage(device.deviceId))).status).to.equal(403);
  });

  it("guards the admin API with the token and refuses bad commands and unknown devices with their codes", async () => {
    const device = await enroll();
    expect((await admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/commands`, undefined, "wrong")).status).to.equal(401);
    const bad = await admin("POST", `/deployment/v1/admin/devices/${device.deviceId}/commands`, { kind: "Copy", items: [] });
    expect(bad).to.deep.include({ status: 400 });
    expect(errorOf(bad.json)).to.include({ code: "MDM_COMMAND_INVALID" });
    const relative = await admin("POST", `/deployment/v1/admin/devices/${device.deviceId}/commands`, { kind: "Get", items: [{ target: "Vendor/MSFT" }] });
    expect(errorOf(relative.json)).to.include({ code: "MDM_COMMAND_INVALID" });
    const unknown = await admin("GET", "/deployment/v1/admin/devices/NOPE/commands");
    expect(unknown).to.deep.include({ status: 404 });
    expect(errorOf(unknown.json)).to.include({ code: "MDM_DEVICE_NOT_ENROLLED" });
    const missing = await admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/commands/00000000-0000-0000-0000-000000000000`);
    expect(errorOf(missing.json)).to.include({ code: "MDM_COMMAND_NOT_FOUND" });
  });
});
