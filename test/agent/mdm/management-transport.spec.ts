/**
 * The device's management transport against a scripted HTTPS server: what a request carries (client certificate,
 * user agent, content type, query), how 429 is waited out, and how answers it cannot use are refused.
 */
import { expect } from "chai";
import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance } from "fastify";
import { OMA_DM_USER_AGENT, createManagementTransport, retryAfterMs, type ManagementTransport } from "../../../agent/index.js";
import { issueMdmClientCertificate, loadMdmCa, loadTlsCredentials, type TlsCredentials } from "../../../certs/index.js";
import { ManualClock, createHttpsApp, listenLoopback } from "../../../lib/index.js";
import { ProtocolError, SYNCML_MEDIA_TYPE } from "../../../protocol/index.js";

interface Seen {
  readonly url: string;
  readonly userAgent: string | undefined;
  readonly contentType: string | undefined;
  readonly peerCommonName: string | undefined;
  readonly body: string;
}

type Scripted = { status: number; headers?: Record<string, string>; body?: string };

describe("agent/mdm/management-transport: SyncML over mutual TLS", function () {
  this.timeout(30_000);
  let home: string;
  let tls: TlsCredentials;
  let app: FastifyInstance;
  let serverUrl: string;
  let certificate: string;
  let privateKey: string;
  const seen: Seen[] = [];
  const script: Scripted[] = [];
  const clock = new ManualClock(Date.UTC(2026, 2, 1));
  let transport: ManagementTransport | undefined;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-mgmt-transport-"));
    tls = await loadTlsCredentials(home);
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const issued = await issueMdmClientCertificate(await loadMdmCa(home), {
      subjectPublicKeyInfo: keys.publicKey.export({ type: "spki", format: "der" }),
      commonName: "ENROLLMENT-1",
      now: new Date(clock.now()),
    });
    certificate = issued.toString("pem");
    privateKey = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key, requestCert: true } });
    app.post("/ManagementServer/MDM.svc", async (request, reply) => {
      const peer = (request.raw.socket as TLSSocket).getPeerCertificate(false) as { raw?: Buffer };
      seen.push({
        url: request.url,
        userAgent: request.headers["user-agent"],
        contentType: request.headers["content-type"],
        peerCommonName: peer.raw === undefined ? undefined : new X509Certificate(peer.raw).subject,
        body: Buffer.from(request.body as Uint8Array).toString("utf8"),
      });
      const next = script.shift() ?? { status: 200, body: "<SyncML/>" };
      return reply.code(next.status).headers(next.headers ?? {}).type(SYNCML_MEDIA_TYPE).send(next.body ?? "");
    });
    serverUrl = new URL("/ManagementServer/MDM.svc", (await listenLoopback(app)).url).toString();
  });
  afterEach(async () => {
    seen.length = 0;
    script.length = 0;
    await transport?.close();
    transport = undefined;
  });
  after(async () => {
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  function open(options: { wait?: (ms: number) => Promise<void>; maxAttempts?: number; maxResponseBytes?: number } = {}): ManagementTransport {
    transport = createManagementTransport({ serverUrl, clientCertificate: certificate, privateKey, ca: tls.ca, clock, ...options });
    return transport;
  }

  async function refusal(work: Promise<unknown>): Promise<ProtocolError> {
    try {
      await work;
    } catch (error) {
      expect(error).to.be.instanceOf(ProtocolError);
      return error as ProtocolError;
    }
    expect.fail("the transport accepted what it should refuse");
  }

  it("POSTs the message with the enrollment certificate, the OMA DM user agent, the SyncML type and mode/Platform", async () => {
    script.push({ status: 200, body: "<SyncML>answer</SyncML>" });
    const answer = await open().send(Buffer.from("<SyncML>question</SyncML>"));
    expect(Buffer.from(answer).toString("utf8")).to.equal("<SyncML>answer</SyncML>");
    expect(seen).to.have.length(1);
    expect(seen[0]).to.deep.equal({
      url: "/ManagementServer/MDM.svc?mode=Machine&Platform=WoA",
      userAgent: OMA_DM_USER_AGENT,
      contentType: SYNCML_MEDIA_TYPE,
      peerCommonName: "CN=ENROLLMENT-1",
      body: "<SyncML>question</SyncML>",
    });
  });

  it("waits out 429 for its Retry-After and sends the same message again", async () => {
    script.push({ status: 429, headers: { "retry-after": "3" } }, { status: 429, headers: { "retry-after": "5" } }, { status: 200, body: "<SyncML/>" });
    const waits: number[] = [];
    await open({ wait: (ms) => Promise.resolve(void waits.push(ms)) }).send(Buffer.from("<SyncML>again</SyncML>"));
    expect(waits).to.deep.equal([3000, 5000]);
    expect(seen.map((request) => request.body)).to.deep.equal(Array(3).fill("<SyncML>again</SyncML>"));
  });

  it("gives up with MDM_SERVER_BUSY after its tries", async () => {
    script.push({ status: 429, headers: { "retry-after": "1" } }, { status: 429, headers: { "retry-after": "1" } });
    const error = await refusal(open({ maxAttempts: 2, wait: () => Promise.resolve() }).send(Buffer.from("<SyncML/>")));
    expect(error.code).to.equal("MDM_SERVER_BUSY");
    expect(seen).to.have.length(2);
  });

  it("refuses a 403 as MDM_CLIENT_CERTIFICATE_REFUSED, other statuses as MDM_TRANSPORT_FAILED, and an oversized answer", async () => {
    script.push({ status: 403 }, { status: 500 }, { status: 200, body: "x".repeat(2048) });
    expect((await refusal(open({ maxResponseBytes: 1024 }).send(Buffer.from("<SyncML/>")))).code).to.equal("MDM_CLIENT_CERTIFICATE_REFUSED");
    expect((await refusal(transport!.send(Buffer.from("<SyncML/>")))).code).to.equal("MDM_TRANSPORT_FAILED");
    expect((await refusal(transport!.send(Buffer.from("<SyncML/>")))).code).to.equal("SYNCML_TOO_LARGE");
  });

  it("reads Retry-After as seconds or as an HTTP-date from the clock", () => {
    const now = Date.UTC(2026, 2, 1, 12, 0, 0);
    expect(retryAfterMs("120", now)).to.equal(120_000);
    expect(retryAfterMs(new Date(now + 45_000).toUTCString(), now)).to.equal(45_000);
    expect(retryAfterMs(new Date(now - 45_000).toUTCString(), now)).to.equal(0);
  });
});
