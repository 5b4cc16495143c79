import { expect } from "chai";
import { X509Certificate, createPublicKey } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import type { Dispatcher } from "undici";
import { enrollDevice, type EnrollingDevice, type EnrollmentCredentials, type EnrollmentOutcome, type KeySource } from "../../../../agent/index.js";
import { loadMdmCa, loadTlsCredentials, type MdmCa } from "../../../../certs/index.js";
import {
  createEnrollmentRegistry,
  enrollmentMigrations,
  registerEnrollmentService,
  type EnrollmentAuthenticator,
  type EnrollmentDatabase,
  type EnrollmentIdentity,
  type EnrollmentRegistry,
} from "../../../../deployment-service/mdm/enrollment/index.js";
import { ManualClock, createHttpsAgent, createHttpsApp, listenLoopback, openDatabase } from "../../../../lib/index.js";
import { MDE2_TOKEN_TYPES, buildDiscoverResponse, parseDiscoverRequest, parseRequestSecurityToken } from "../../../../protocol/index.js";
import { sharedRsaKey } from "../../../certs/csr-builder.js";

const TENANT = "contoso.apsim.test";
const USERS: ReadonlyMap<string, string> = new Map([
  [`ada@${TENANT}`, "correct horse battery staple"],
  [`grace@${TENANT}`, "hopper-1906"],
]);
const DEVICE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJkZXZpY2VpZCI6IjhkOWMzZTI5In0.c2lnbmF0dXJl";
const FEDERATED_TOKEN = "federated-token-for-grace";

const authenticator: EnrollmentAuthenticator = {
  verifyUsernameToken: (upn, password): Promise<EnrollmentIdentity | undefined> =>
    Promise.resolve(USERS.get(upn.toLowerCase()) === password ? { userPrincipalName: upn, selfDeploying: false } : undefined),
  verifyDeviceToken: (jwt) => Promise.resolve(jwt === DEVICE_TOKEN ? { deviceId: "8d9c3e29-0000-4000-8000-00000000abcd", selfDeploying: true } : undefined),
  verifyFederatedToken: (token) => Promise.resolve(token === FEDERATED_TOKEN ? { userPrincipalName: `grace@${TENANT}`, selfDeploying: false } : undefined),
};

/** A device whose DeviceID ends in `suffix` (each test enrolls its own). */
function device(suffix: string): EnrollingDevice {
  return {
    deviceId: `1E08C6E95D8BB843B1278FF45BC6${suffix}`,
    hwDevId: "3B3ED6D0EA88CBFCF37D36F90F22FE61172348C0162FC3840D6703149870CE76",
    deviceName: "DESKTOP-28FGAI6",
    macAddresses: ["00-0C-29-51-60-9D", "00-0C-29-51-60-A7"],
    osEdition: 72,
    osVersion: "10.0.19043.2364",
    locale: "en-US",
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly userAgent: string | undefined;
  readonly contentType: string | undefined;
  readonly body: Buffer | undefined;
}

describe("agent/mdm/enrollment/enroll-device: MS-MDE2 enrollment against the enrollment service over HTTPS", function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  let home: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let tlsCa: string;
  let mdmCa: MdmCa;
  let registry: EnrollmentRegistry;
  let db: Kysely<EnrollmentDatabase>;
  let dispatcher: Dispatcher;
  let seen: SeenRequest[] = [];
  let keysTaken = 0;
  const keySource: KeySource = () => {
    keysTaken++;
    return Promise.resolve(sharedRsaKey());
  };

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-mdm-client-"));
    const tls = await loadTlsCredentials(home);
    tlsCa = tls.ca;
    mdmCa = await loadMdmCa(home);
    const opened = await openDatabase<EnrollmentDatabase>(
      { kind: "sqlite", file: ":memory:" },
      { migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...enrollmentMigrations(kind) }) }), migrationTableName: "test_migrations" },
    );
    db = opened.db;
    registry = createEnrollmentRegistry(db);
    const port = await freePort();
    baseUrl = `https://127.0.0.1:${port}/`;
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    app.addHook("preHandler", (request, _reply, next) => {
      seen.push({
        method: request.method,
        path: request.url,
        userAgent: request.headers["user-agent"],
        contentType: request.headers["content-type"],
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      });
      next();
    });
    await registerEnrollmentService(app, { baseUrl, tenantDomain: TENANT, authenticator, registry, mdmCa, clock });
    await listenLoopback(app, { port });
    dispatcher = createHttpsAgent({ ca: tls.ca });
  });
  after(async () => {
    await app.close();
    await dispatcher.close();
    await db.destroy();
    await rm(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    seen = [];
    keysTaken = 0;
  });

  function enroll(credentials: EnrollmentCredentials, enrolling: EnrollingDevice, enrollmentType: "Full" | "Device" = "Full"): Promise<EnrollmentOutcome> {
    return enrollDevice({ serverUrl: baseUrl, dispatcher, credentials, device: enrolling, enrollmentType, keySource, clock });
  }

  it("enrolls with a UsernameToken (OnPremise): a certificate for the request's key from the MDM CA, the DM URL and ProviderID", async () => {
    const enrolling = device("0C01");
    const outcome = await enroll({ kind: "usernameToken", upn: `ada@${TENANT}`, password: USERS.get(`ada@${TENANT}`)! }, enrolling);
    if (!outcome.ok) expect.fail(`${outcome.code}: ${outcome.message}`);
    expect(outcome.code).to.equal("OK");
    expect(outcome.hresult).to.equal("0x00000000");

    const client = new X509Certificate(outcome.clientCertificate);
    const mdmRoot = new X509Certificate(Buffer.from(mdmCa.certificate.rawData));
    expect(client.publicKey.equals(sharedRsaKey().publicKey), "the certificate carries the request's key").to.equal(true);
    expect(createPublicKey(outcome.privateKey).equals(client.publicKey), "the private key returned is the certificate's").to.equal(true);
    expect(client.checkIssued(mdmRoot) && client.verify(mdmRoot.publicKey), "issued and signed by the MDM CA").to.equal(true);
    expect(new X509Certificate(outcome.rootCertificate).raw.equals(mdmRoot.raw), "the root installed is the MDM CA").to.equal(true);
    expect(outcome.dmServerUrl).to.equal(`${baseUrl}ManagementServer/MDM.svc`);
    expect(outcome.providerId).to.equal("apsim");
    expect(outcome.clientStore).to.equal("User");
    expect(outcome.pollSettings.numberOfFirstRetries).to.be.greaterThan(0);

    const record = await registry.findByDeviceId(enrolling.deviceId);
    expect(record?.enrollmentId).to.equal(outcome.enrollmentId);
    expect(client.subject).to.equal(`CN=${outcome.enrollmentId}`);
    expect(record?.userPrincipalName).to.equal(`ada@${TENANT}`);
    expect(record?.authKind).to.equal("OnPremise");
    expect(record?.enrollmentType).to.equal("Full");
    expect(keysTaken).to.equal(1);
  });

  it("sends what Windows sends: GET then POST discovery, policy, enrollment, as ENROLLClient with SOAP bodies and Windows' context", async () => {
    const enrolling = device("0C02");
    const outcome = await enroll({ kind: "usernameToken", upn: `ada@${TENANT}`, password: USERS.get(`ada@${TENANT}`)! }, enrolling);
    expect(outcome.ok).to.equal(true);
    expect(seen.map((request) => `${request.method} ${request.path}`)).to.deep.equal([
      "GET /EnrollmentServer/Discovery.svc",
      "POST /EnrollmentServer/Discovery.svc",
      "POST /EnrollmentServer/Policy.svc",
      "POST /EnrollmentServer/Enrollment.svc",
    ]);
    expect(new Set(seen.map((request) => request.userAgent))).to.deep.equal(new Set(["ENROLLClient"]));
    expect(seen.slice(1).map((request) => request.contentType)).to.deep.equal(Array(3).fill("application/soap+xml; charset=utf-8"));

    const rst = parseRequestSecurityToken(seen[3]!.body!);
    expect(rst.security).to.deep.equal({ kind: "username", username: `ada@${TENANT}`, password: USERS.get(`ada@${TENANT}`) });
    expect(rst.to).to.equal(`${baseUrl}EnrollmentServer/Enrollment.svc`);
    expect(rst.requestValueType).to.equal(MDE2_TOKEN_TYPES.pkcs10);
    expect(rst.context.map((item) => item.name)).to.deep.equal([
      "UXInitiated",
      "HWDevID",
      "Locale",
      "OSEdition",
      "DeviceName",
      "MAC",
      "MAC",
      "DeviceID",
      "EnrollmentType",
      "DeviceType",
      "OSVersion",
      "ApplicationVersion",
      "NotInOobe",
      "RequestVersion",
    ]);
    const value = (name: string): string | undefined => rst.context.find((item) => item.name === name)?.value;
    expect(value("DeviceID")).to.equal(enrolling.deviceId);
    expect(value("OSEdition")).to.equal("72");
    expect(value("DeviceType")).to.equal("CIMClient_Windows");
    expect(value("NotInOobe")).to.equal("false");
  });

  it("answers a wrong password with MDE2_AUTHENTICATION and 0x80180002, before any key is spent", async () => {
    const outcome = await enroll({ kind: "usernameToken", upn: `ada@${TENANT}`, password: "wrong" }, device("0C03"));
    expect(outcome.ok).to.equal(false);
    expect(outcome.code).to.equal("MDE2_AUTHENTICATION");
    expect(outcome.hresult).to.equal("0x80180002");
    expect(keysTaken).to.equal(0);
    expect(await registry.findByDeviceId(device("0C03").deviceId)).to.equal(undefined);
  });

  it("enrolls a joined device with its device token (JWT BinarySecurityToken), skipping discovery, into the System store", async () => {
    const enrolling = device("0D01");
    const outcome = await enroll({ kind: "deviceToken", jwt: DEVICE_TOKEN }, enrolling, "Device");
    if (!outcome.ok) expect.fail(`${outcome.code}: ${outcome.message}`);
    expect(outcome.clientStore).to.equal("System");
    expect(seen.map((request) => request.path)).to.deep.equal(["/EnrollmentServer/Policy.svc", "/EnrollmentServer/Enrollment.svc"]);
    const rst = parseRequestSecurityToken(seen[1]!.body!);
    expect(rst.security?.kind === "binary" && rst.security.valueType).to.equal(MDE2_TOKEN_TYPES.jwt);
    const record = await registry.findByDeviceId(enrolling.deviceId);
    expect(record?.authKind).to.equal("DeviceToken");
    expect(record?.selfDeploying).to.equal(true);
    expect(record?.enrollmentType).to.equal("Device");
  });

  it("is refused re-enrollment of a recorded self-deploying device with MDE2_DEVICE_NOT_SUPPORTED and 0x80180014", async () => {
    const enrolling = device("0D02");
    const first = await enroll({ kind: "deviceToken", jwt: DEVICE_TOKEN }, enrolling, "Device");
    expect(first.ok).to.equal(true);
    const again = await enroll({ kind: "deviceToken", jwt: DEVICE_TOKEN }, enrolling, "Device");
    expect(again.ok).to.equal(false);
    expect(again.code).to.equal("MDE2_DEVICE_NOT_SUPPORTED");
    expect(again.hresult).to.equal("0x80180014");
    expect(first.ok && (await registry.findByDeviceId(enrolling.deviceId))?.enrollmentId).to.equal(first.ok && first.enrollmentId);
  });

  it("enrolls with a Federated token after discovering with the user's address", async () => {
    const outcome = await enroll({ kind: "federated", token: FEDERATED_TOKEN, upn: `grace@${TENANT}` }, device("0F01"));
    if (!outcome.ok) expect.fail(`${outcome.code}: ${outcome.message}`);
    expect(seen[0]!.method).to.equal("GET");
    expect((await registry.findByDeviceId(device("0F01").deviceId))?.authKind).to.equal("Federated");
  });

  it("reports an unknown device token with MDE2_AUTHENTICATION", async () => {
    const outcome = await enroll({ kind: "deviceToken", jwt: "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ." }, device("0D03"), "Device");
    expect(outcome.code).to.equal("MDE2_AUTHENTICATION");
    expect(outcome.hresult).to.equal("0x80180002");
  });

  it("reports an unreachable server as MDE2_SERVER_UNREACHABLE (MENROLL_E_CONNECTIVITY), retryable", async () => {
    const closed = `https://127.0.0.1:${await freePort()}/`;
    const outcome = await enrollDevice({
      serverUrl: closed,
      ca: tlsCa,
      credentials: { kind: "usernameToken", upn: `ada@${TENANT}`, password: "x" },
      device: device("0E01"),
      enrollmentType: "Full",
      keySource,
      clock,
      timeoutMs: 5_000,
    });
    expect(outcome.ok).to.equal(false);
    expect(outcome.code).to.equal("MDE2_SERVER_UNREACHABLE");
    expect(outcome.hresult).to.equal("0x80180010");
    expect(!outcome.ok && outcome.retryable).to.equal(true);
  });

  it("refuses a server whose TLS certificate it does not trust with MDE2_SERVER_CERTIFICATE_INVALID", async () => {
    const outcome = await enrollDevice({
      serverUrl: baseUrl,
      credentials: { kind: "usernameToken", upn: `ada@${TENANT}`, password: USERS.get(`ada@${TENANT}`)! },
      device: device("0E02"),
      enrollmentType: "Full",
      keySource,
      clock,
    });
    expect(outcome.code).to.equal("MDE2_SERVER_CERTIFICATE_INVALID");
    expect(outcome.hresult).to.equal("0x80180012");
    expect(seen).to.deep.equal([]);
  });

  it("refuses device data Windows never sends with MDE2_INVALID_ENROLLMENT_DATA, sending nothing", async () => {
    const credentials: EnrollmentCredentials = { kind: "usernameToken", upn: `ada@${TENANT}`, password: "x" };
    for (const bad of [{ deviceId: "1E08-C6E9" }, { hwDevId: "00" }, { macAddresses: ["00:0C:29:51:60:9D"] }]) {
      const outcome = await enroll(credentials, { ...device("0E03"), ...bad });
      expect(outcome.code, JSON.stringify(bad)).to.equal("MDE2_INVALID_ENROLLMENT_DATA");
      expect(outcome.hresult).to.equal("0x80180019");
    }
    expect(seen).to.deep.equal([]);
  });

  it("refuses discovery of another domain's user with the server's Authorization fault", async () => {
    const outcome = await enroll({ kind: "usernameToken", upn: "eve@elsewhere.example", password: "x" }, device("0E04"));
    expect(outcome.code).to.equal("MDE2_AUTHORIZATION");
    expect(outcome.hresult).to.equal("0x80180003");
  });
});

describe("agent/mdm/enrollment/enroll-device: answers the device cannot use", function () {
  this.timeout(20_000);
  let home: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let dispatcher: Dispatcher;
  let answer: (messageId: string) => string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-mdm-client-stub-"));
    const tls = await loadTlsCredentials(home);
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    app.get("/EnrollmentServer/Discovery.svc", async (_request, reply) => reply.code(200).send());
    app.post("/EnrollmentServer/Discovery.svc", async (request, reply) => {
      const discover = parseDiscoverRequest(request.body as Buffer);
      return reply.type("application/soap+xml; charset=utf-8").send(answer(discover.messageId));
    });
    baseUrl = (await listenLoopback(app)).url;
    dispatcher = createHttpsAgent({ ca: tls.ca });
  });
  after(async () => {
    await dispatcher.close();
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  function enroll(): Promise<EnrollmentOutcome> {
    return enrollDevice({
      serverUrl: baseUrl,
      dispatcher,
      credentials: { kind: "usernameToken", upn: `ada@${TENANT}`, password: "x" },
      device: device("0A01"),
      enrollmentType: "Full",
      keySource: () => Promise.resolve(sharedRsaKey()),
    });
  }

  const discovered = (relatesTo: string, enrollmentServiceUrl: string): string =>
    buildDiscoverResponse({ relatesTo, authPolicy: "OnPremise", enrollmentServiceUrl, enrollmentPolicyServiceUrl: enrollmentServiceUrl });

  it("refuses a discovery answer that relates to another request", async () => {
    answer = () => discovered("urn:uuid:00000000-0000-4000-8000-000000000000", `${baseUrl}EnrollmentServer/Enrollment.svc`);
    const outcome = await enroll();
    expect(outcome.code).to.equal("MDE2_RESPONSE_INVALID");
    expect(outcome.hresult).to.equal("0x80180001");
    expect(!outcome.ok && outcome.message).to.match(/another request/);
  });

  it("refuses to be sent to enrollment over plain HTTP", async () => {
    answer = (messageId) => discovered(messageId, "http://127.0.0.1:1/EnrollmentServer/Enrollment.svc");
    const outcome = await enroll();
    expect(outcome.code).to.equal("MDE2_RESPONSE_INVALID");
    expect(!outcome.ok && outcome.message).to.match(/not an https URL/);
  });

  it("refuses a server that answers another authentication policy than the one asked for", async () => {
    answer = (messageId) =>
      buildDiscoverResponse({ relatesTo: messageId, authPolicy: "Federated", enrollmentServiceUrl: `${baseUrl}EnrollmentServer/Enrollment.svc` });
    const outcome = await enroll();
    expect(outcome.code).to.equal("MDE2_RESPONSE_INVALID");
    expect(!outcome.ok && outcome.message).to.match(/chose Federated/);
  });
});
