import { expect } from "chai";
import { X509Certificate as NodeCertificate, createPublicKey, generateKeyPairSync } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { request, type Dispatcher } from "undici";
import { loadMdmCa, loadTlsCredentials, x509, type MdmCa } from "../../../../certs/index.js";
import {
  createEnrollmentRegistry,
  enrollmentMigrations,
  registerEnrollmentService,
  type EnrollmentAuthenticator,
  type EnrollmentDatabase,
  type EnrollmentRegistry,
} from "../../../../deployment-service/mdm/enrollment/index.js";
import { ManualClock, createHttpsAgent, createHttpsApp, listenLoopback, openDatabase } from "../../../../lib/index.js";
import {
  MDE2_TOKEN_TYPES,
  ProtocolError,
  buildGetPoliciesRequest,
  buildRequestSecurityToken,
  parseDiscoverResponse,
  parseFault,
  parseGetPoliciesResponse,
  parseProvisioningDocument,
  parseRequestSecurityTokenResponse,
  type ContextItem,
} from "../../../../protocol/index.js";
import { buildCsr } from "../../../certs/csr-builder.js";

const FIXTURES = new URL("../../../fixtures/windows-10-19043/", import.meta.url);
const TENANT = "contoso.apsim.test";
const FIXTURE_DEVICE_ID = "1E08C6E95D8BB843B1278FF45BC60CC6";
const DEVICE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJkZXZpY2VpZCI6ImFiYyJ9.c2lnbmF0dXJl";

/** The captured request with the capture's tenant domain replaced by ours. */
async function fixture(name: string): Promise<string> {
  return (await readFile(new URL(name, FIXTURES), "utf8")).replaceAll("pocmdmserver.com", TENANT);
}

const messageIdOf = (xml: string): string => /<a:MessageID>([^<]+)</.exec(xml)![1]!;

const authenticator: EnrollmentAuthenticator = {
  verifyUsernameToken: (upn, password) =>
    Promise.resolve(upn.toLowerCase() === `demo@${TENANT}` && password === "demo" ? { userPrincipalName: upn, selfDeploying: false } : undefined),
  verifyDeviceToken: (jwt) =>
    Promise.resolve(jwt === DEVICE_TOKEN ? { deviceId: "8d9c3e29-0000-4000-8000-00000000abcd", selfDeploying: true } : undefined),
  verifyFederatedToken: (token) =>
    Promise.resolve(token === "federated-token" ? { userPrincipalName: `ada@${TENANT}`, selfDeploying: false } : undefined),
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

describe("deployment-service/mdm/enrollment: the MS-MDE2 endpoints over HTTPS", function () {
  this.timeout(60_000);
  let home: string;
  let app: FastifyInstance;
  let dispatcher: Dispatcher;
  let baseUrl: string;
  let mdmCa: MdmCa;
  let registry: EnrollmentRegistry;
  let db: Kysely<EnrollmentDatabase>;
  const clock = new ManualClock(Date.UTC(2026, 2, 1));

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-enrollment-"));
    const tls = await loadTlsCredentials(home);
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

  async function post(pathname: string, body: string | Buffer, contentType = "application/soap+xml; charset=utf-8"): Promise<Answer> {
    const answer = await request(new URL(pathname, baseUrl), {
      method: "POST",
      dispatcher,
      headers: { "content-type": contentType, "user-agent": "ENROLLClient" },
      body,
    });
    return { status: answer.statusCode, contentType: String(answer.headers["content-type"]), body: await answer.body.text() };
  }

  function expectFault(answer: Answer, code: string, hresult: number, status: number): void {
    expect(answer.status).to.equal(status);
    expect(answer.contentType).to.equal("application/soap+xml; charset=utf-8");
    const fault = parseFault(answer.body);
    expect(fault.code).to.equal(code);
    expect(fault.hresult).to.equal(hresult);
  }

  function deviceTokenEnrollment(deviceId: string, csr: Buffer, token = DEVICE_TOKEN): string {
    const context: ContextItem[] = [
      { name: "DeviceID", value: deviceId },
      { name: "EnrollmentType", value: "Device" },
      { name: "DeviceType", value: "CIMClient_Windows" },
      { name: "NotInOobe", value: "false" },
    ];
    return buildRequestSecurityToken({
      messageId: "urn:uuid:5e0f7c2b-6a0c-4d64-9a51-1b5d3c0e9f11",
      security: { kind: "binary", valueType: MDE2_TOKEN_TYPES.jwt, value: Buffer.from(token).toString("base64") },
      tokenType: MDE2_TOKEN_TYPES.deviceEnrollment,
      requestType: MDE2_TOKEN_TYPES.issue,
      requestValueType: MDE2_TOKEN_TYPES.pkcs10,
      certificateRequest: csr,
      context,
    });
  }

  it("answers Windows' GET probe of discovery with 200 and an empty body", async () => {
    const answer = await request(new URL("/EnrollmentServer/Discovery.svc", baseUrl), { dispatcher });
    expect(answer.statusCode).to.equal(200);
    expect(await answer.body.text()).to.equal("");
  });

  it("accepts the captured Windows 10 discovery, policy and enrollment requests and issues a certificate for the CSR's key", async () => {
    const discoverXml = await fixture("discovery-request.xml");
    const discovered = await post("/EnrollmentServer/Discovery.svc", discoverXml);
    expect(discovered.status).to.equal(200);
    expect(discovered.contentType).to.equal("application/soap+xml; charset=utf-8");
    const discovery = parseDiscoverResponse(discovered.body);
    expect(discovery.relatesTo).to.equal(messageIdOf(discoverXml));
    expect(discovery.authPolicy).to.equal("OnPremise");
    expect(discovery.enrollmentPolicyServiceUrl).to.equal(`${baseUrl}EnrollmentServer/Policy.svc`);
    expect(discovery.enrollmentServiceUrl).to.equal(`${baseUrl}EnrollmentServer/Enrollment.svc`);

    const policyXml = await fixture("policy-request.xml");
    const policyAnswer = await post(new URL(discovery.enrollmentPolicyServiceUrl!).pathname, policyXml);
    expect(policyAnswer.status).to.equal(200);
    const policies = parseGetPoliciesResponse(policyAnswer.body);
    expect(policies.relatesTo).to.equal(messageIdOf(policyXml));
    expect(policies.policy.minimalKeyLength).to.equal(2048);

    const enrollmentXml = await fixture("enrollment-request.xml");
    const enrolled = await post(new URL(discovery.enrollmentServiceUrl).pathname, enrollmentXml);
    expect(enrolled.status, enrolled.body).to.equal(200);
    const response = parseRequestSecurityTokenResponse(enrolled.body);
    expect(response.relatesTo).to.equal(messageIdOf(enrollmentXml));
    expect(response.timestamp?.created.getTime(), "the service clock stamps the response").to.equal(clock.now());
    const document = parseProvisioningDocument(response.provisioningDocument);

    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(/#PKCS10"[^>]*>([^<]+)</.exec(enrollmentXml)![1]!, "base64"));
    const csrKey = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
    const client = new NodeCertificate(Buffer.from(document.clientCertificate.der));
    expect(client.publicKey.equals(csrKey), "the certificate carries the CSR's key").to.equal(true);
    const root = new NodeCertificate(Buffer.from(document.rootCertificates[0]!.der));
    expect(root.raw.equals(Buffer.from(mdmCa.certificate.rawData))).to.equal(true);
    expect(client.checkIssued(root)).to.equal(true);
    expect(client.verify(root.publicKey)).to.equal(true);
    expect(client.subject).to.equal(`CN=${document.clientCommonName}`);
    expect(new Date(client.validTo).getTime() - clock.now()).to.equal(365 * 86_400_000);
    expect(document.clientStore).to.equal("User");
    expect(document.providerId).to.equal("apsim");
    expect(document.managementAddress).to.equal(`${baseUrl}ManagementServer/MDM.svc`);

    const record = await registry.findByDeviceId(FIXTURE_DEVICE_ID);
    expect(record?.userPrincipalName).to.equal(`demo@${TENANT}`);
    expect(record?.enrollmentId).to.equal(document.clientCommonName);
    expect(record?.certificateThumbprint).to.equal(document.clientCertificate.thumbprint);
    expect(record?.authKind).to.equal("OnPremise");
    expect(record?.enrollmentType).to.equal("Full");
  });

  it("lets a user-driven device enroll again, replacing its record", async () => {
    const first = await registry.findByDeviceId(FIXTURE_DEVICE_ID);
    const again = await post("/EnrollmentServer/Enrollment.svc", await fixture("enrollment-request.xml"));
    expect(again.status).to.equal(200);
    const second = await registry.findByDeviceId(FIXTURE_DEVICE_ID);
    expect(second?.enrollmentId).to.not.equal(first?.enrollmentId);
  });

  it("answers a wrong password with the Authentication fault and its HRESULT, related to the request", async () => {
    const xml = (await fixture("policy-request.xml")).replace(">demo</wsse:Password>", ">wrong</wsse:Password>");
    const answer = await post("/EnrollmentServer/Policy.svc", xml);
    expectFault(answer, "MDE2_AUTHENTICATION", 0x80180002, 500);
    expect(parseFault(answer.body).relatesTo).to.equal(messageIdOf(xml));
    const enrollment = (await fixture("enrollment-request.xml")).replace(">demo</wsse:Password>", ">wrong</wsse:Password>");
    expectFault(await post("/EnrollmentServer/Enrollment.svc", enrollment), "MDE2_AUTHENTICATION", 0x80180002, 500);
  });

  it("answers a request without a security token with the InvalidSecurity fault", async () => {
    const xml = (await fixture("policy-request.xml")).replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, "");
    expectFault(await post("/EnrollmentServer/Policy.svc", xml), "MDE2_INVALID_SECURITY", 0x80180007, 400);
  });

  it("answers malformed SOAP, a SOAP 1.1 envelope, a DTD and a wrong action with the MessageFormat fault", async () => {
    const discover = await fixture("discovery-request.xml");
    expectFault(await post("/EnrollmentServer/Discovery.svc", discover.slice(0, 400)), "MDE2_MESSAGE_FORMAT", 0x80180001, 400);
    const soap11 = discover.replace("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/");
    expectFault(await post("/EnrollmentServer/Discovery.svc", soap11), "MDE2_MESSAGE_FORMAT", 0x80180001, 400);
    const dtd = `<!DOCTYPE x [<!ENTITY a "aaaa">]>${discover}`;
    expectFault(await post("/EnrollmentServer/Discovery.svc", dtd), "MDE2_MESSAGE_FORMAT", 0x80180001, 400);
    expectFault(await post("/EnrollmentServer/Policy.svc", discover), "MDE2_MESSAGE_FORMAT", 0x80180001, 400);
  });

  it("answers an oversized body and a wrong media type with MessageFormat faults and their HTTP status", async () => {
    const huge = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">${" ".repeat(300 * 1024)}</s:Envelope>`;
    expectFault(await post("/EnrollmentServer/Discovery.svc", huge), "MDE2_MESSAGE_FORMAT", 0x80180001, 413);
    expectFault(await post("/EnrollmentServer/Discovery.svc", await fixture("discovery-request.xml"), "text/plain"), "MDE2_MESSAGE_FORMAT", 0x80180001, 415);
  });

  it("refuses discovery for another domain's user", async () => {
    const other = (await readFile(new URL("discovery-request.xml", FIXTURES), "utf8")).replace("demo@pocmdmserver.com", "demo@elsewhere.example");
    expectFault(await post("/EnrollmentServer/Discovery.svc", other), "MDE2_AUTHORIZATION", 0x80180003, 500);
  });

  it("refuses a CSR not signed by the key it carries with the CertificateRequest fault and records nothing", async () => {
    const deviceId = "0123456789ABCDEF0123456789ABCDEF";
    const forged = buildCsr({
      commonName: `X!${deviceId}\0`,
      deviceId,
      signingKey: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
    });
    const answer = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment(deviceId, forged.der));
    expectFault(answer, "MDE2_CERTIFICATE_REQUEST", 0x80180004, 400);
    expect(await registry.findByDeviceId(deviceId)).to.equal(undefined);
  });

  it("refuses a CSR naming another DeviceID than the enrollment context", async () => {
    const csr = buildCsr({ commonName: "X!AAAA\0", deviceId: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    const answer = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment("BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", csr.der));
    expectFault(answer, "MDE2_CERTIFICATE_REQUEST", 0x80180004, 400);
  });

  it("enrolls a joined self-deploying device by its device token, then refuses its re-enrollment with 0x80180014 until the record is removed", async () => {
    const deviceId = "FEDCBA9876543210FEDCBA9876543210";
    const csr = buildCsr({ commonName: `X!${deviceId}\0`, deviceId });
    const first = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment(deviceId, csr.der));
    expect(first.status, first.body).to.equal(200);
    const document = parseProvisioningDocument(parseRequestSecurityTokenResponse(first.body).provisioningDocument);
    expect(document.clientStore).to.equal("System");
    const record = await registry.findByDeviceId(deviceId);
    expect(record?.selfDeploying).to.equal(true);
    expect(record?.authKind).to.equal("DeviceToken");

    const again = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment(deviceId, csr.der));
    expectFault(again, "MDE2_DEVICE_NOT_SUPPORTED", 0x80180014, 500);
    expect(parseFault(again.body).errorType).to.equal("DeviceNotSupported");

    expect(await registry.remove(deviceId)).to.equal(true);
    const afterRemoval = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment(deviceId, csr.der));
    expect(afterRemoval.status).to.equal(200);
  });

  it("offers Federated to a client that supports only it, and accepts the authentication page's token", async () => {
    const federatedOnly = (await fixture("discovery-request.xml")).replace("<AuthPolicy>OnPremise</AuthPolicy>", "");
    const discovery = parseDiscoverResponse((await post("/EnrollmentServer/Discovery.svc", federatedOnly)).body);
    expect(discovery.authPolicy).to.equal("Federated");
    expect(discovery.authenticationServiceUrl).to.equal(`${baseUrl}EnrollmentServer/Authenticate`);
    const policy = buildGetPoliciesRequest({
      messageId: "urn:uuid:7",
      security: { kind: "binary", valueType: MDE2_TOKEN_TYPES.userToken, value: Buffer.from("federated-token").toString("base64") },
    });
    const answer = await post("/EnrollmentServer/Policy.svc", policy);
    expect(answer.status).to.equal(200);
    expect(parseGetPoliciesResponse(answer.body).relatesTo).to.equal("urn:uuid:7");
    const wrong = policy.replace(Buffer.from("federated-token").toString("base64"), Buffer.from("stolen").toString("base64"));
    expectFault(await post("/EnrollmentServer/Policy.svc", wrong), "MDE2_AUTHENTICATION", 0x80180002, 500);
  });

  it("answers an unknown device token with the Authentication fault", async () => {
    const deviceId = "11111111111111111111111111111111";
    const csr = buildCsr({ commonName: `X!${deviceId}\0`, deviceId });
    const answer = await post("/EnrollmentServer/Enrollment.svc", deviceTokenEnrollment(deviceId, csr.der, "a.b.c"));
    expectFault(answer, "MDE2_AUTHENTICATION", 0x80180002, 500);
    let caught: unknown;
    try {
      parseRequestSecurityTokenResponse(answer.body);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ProtocolError).with.property("code", "MDE2_AUTHENTICATION");
  });
});
