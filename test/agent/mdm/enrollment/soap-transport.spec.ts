import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Dispatcher } from "undici";
import { postSoap, probeDiscovery, type SoapExchange } from "../../../../agent/mdm/enrollment/soap-transport.js";
import { loadTlsCredentials } from "../../../../certs/index.js";
import { createHttpsAgent, createHttpsApp, listenLoopback } from "../../../../lib/index.js";
import { MDE2_ACTIONS, ProtocolError, SOAP_MEDIA_TYPE, buildFault, faultOf } from "../../../../protocol/index.js";

const ENVELOPE = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>`;

describe("agent/mdm/enrollment/soap-transport: the enrollment client's HTTP", function () {
  this.timeout(20_000);
  let home: string;
  let app: FastifyInstance;
  let baseUrl: string;
  let dispatcher: Dispatcher;
  let exchange: SoapExchange;
  const held: (() => void)[] = [];

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-soap-transport-"));
    const tls = await loadTlsCredentials(home);
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    app.post("/html", async (_request, reply) => reply.type("text/html").send("<html>sign in</html>"));
    app.post("/huge", async (_request, reply) => reply.type(SOAP_MEDIA_TYPE).send(`${ENVELOPE}${" ".repeat(300 * 1024)}`));
    app.post("/gone", async (_request, reply) => reply.code(404).type("text/plain").send("no"));
    app.post("/busy", async (_request, reply) => reply.code(503).type("text/plain").send("busy"));
    app.post("/fault", async (_request, reply) =>
      reply.code(500).type(SOAP_MEDIA_TYPE).send(buildFault(faultOf("MDE2_IN_MAINTENANCE"), MDE2_ACTIONS.discoverResponse, "trace-1")),
    );
    app.post("/ok", async (_request, reply) => reply.type(SOAP_MEDIA_TYPE).send(ENVELOPE));
    app.post("/held", (_request, _reply) => new Promise<void>((resolve) => held.push(resolve)));
    app.get("/missing", async (_request, reply) => reply.code(404).send());
    baseUrl = (await listenLoopback(app)).url;
    dispatcher = createHttpsAgent({ ca: tls.ca });
    exchange = { dispatcher, timeoutMs: 250 };
  });
  after(async () => {
    for (const release of held) release();
    await dispatcher.close();
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  async function failure(action: Promise<unknown>): Promise<ProtocolError> {
    try {
      await action;
    } catch (error) {
      expect(error).to.be.instanceOf(ProtocolError);
      return error as ProtocolError;
    }
    return expect.fail("the exchange succeeded");
  }

  it("returns the body of a SOAP answer", async () => {
    expect((await postSoap(`${baseUrl}ok`, ENVELOPE, exchange)).toString()).to.equal(ENVELOPE);
  });

  it("turns a SOAP fault into its registry code whatever the status", async () => {
    const error = await failure(postSoap(`${baseUrl}fault`, ENVELOPE, exchange));
    expect(error.code).to.equal("MDE2_IN_MAINTENANCE");
    expect(error.hresult).to.equal(0x80180017);
  });

  it("refuses a success that is not SOAP and an answer above the size bound", async () => {
    expect((await failure(postSoap(`${baseUrl}html`, ENVELOPE, exchange))).code).to.equal("MDE2_RESPONSE_INVALID");
    const huge = await failure(postSoap(`${baseUrl}huge`, ENVELOPE, exchange));
    expect(huge.code).to.equal("MDE2_RESPONSE_INVALID");
    expect(huge.message).to.match(/larger than/);
  });

  it("names error statuses without a fault: 404 NOT_FOUND, 503 MDE2_ENROLLMENT_SERVER (retryable)", async () => {
    expect((await failure(postSoap(`${baseUrl}gone`, ENVELOPE, exchange))).code).to.equal("NOT_FOUND");
    const busy = await failure(postSoap(`${baseUrl}busy`, ENVELOPE, exchange));
    expect(busy.code).to.equal("MDE2_ENROLLMENT_SERVER");
    expect(busy.retryable).to.equal(true);
    expect((await failure(probeDiscovery(`${baseUrl}missing`, exchange))).code).to.equal("NOT_FOUND");
  });

  it("gives up on a server that holds its answer past the deadline with MDE2_SERVER_UNREACHABLE", async () => {
    const error = await failure(postSoap(`${baseUrl}held`, ENVELOPE, exchange));
    expect(error.code).to.equal("MDE2_SERVER_UNREACHABLE");
    expect(error.message).to.match(/UND_ERR_HEADERS_TIMEOUT/);
  });
});
