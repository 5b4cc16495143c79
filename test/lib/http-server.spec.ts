import { expect } from "chai";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { request } from "undici";
import { loadTlsCredentials } from "../../certs/index.js";
import { createHttpsAgent, createHttpsApp, listenLoopback, decodeCbor, encodeCbor } from "../../lib/index.js";
import { decodeCborBody, installProtocolErrorHandler, sendCbor } from "../../protocol/index.js";

describe("lib/http-server", () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-http-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it("serves HTTPS on loopback with the home's TLS CA, CBOR bodies and registry errors", async () => {
    const tls = await loadTlsCredentials(home);
    expect((await stat(path.join(home, "pki", "tls", "server.pem"))).mode & 0o777).to.equal(0o600);
    const app = createHttpsApp({ tls, bodyLimit: 1024 });
    installProtocolErrorHandler(app);
    app.post("/echo", async (req, reply) => sendCbor(reply, { got: decodeCborBody(req.body) }));
    const address = await listenLoopback(app);
    const dispatcher = createHttpsAgent({ ca: tls.ca });
    try {
      expect(address.url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      const ok = await request(`${address.url}echo`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/cbor" },
        body: Buffer.from(encodeCbor({ a: 1 })),
      });
      expect(ok.statusCode).to.equal(200);
      expect(decodeCbor(Buffer.from(await ok.body.arrayBuffer()))).to.deep.equal({ got: { a: 1 } });

      const bad = await request(`${address.url}echo`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/cbor" },
        body: Buffer.from([0x9f, 0x01]),
      });
      expect(bad.statusCode).to.equal(400);
      const badBody = decodeCbor(Buffer.from(await bad.body.arrayBuffer())) as { error: Record<string, unknown> };
      expect(badBody.error).to.include({ code: "MALFORMED_CBOR", hresult: "0x80190190", retryable: false });

      const big = await request(`${address.url}echo`, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/cbor", accept: "application/json" },
        body: Buffer.alloc(4096),
      });
      expect(big.statusCode).to.equal(413);
      expect(((await big.body.json()) as { error: { code: string } }).error.code).to.equal("BODY_TOO_LARGE");

      const missing = await request(`${address.url}nothing`, { dispatcher });
      expect(missing.statusCode).to.equal(404);
      expect(((await missing.body.json()) as { error: { code: string; hresult: string } }).error).to.include({
        code: "NOT_FOUND",
        hresult: "0x80190194",
      });
    } finally {
      await dispatcher.close();
      await app.close();
    }
  });

  it("reuses the server certificate of a home and refuses clients that do not trust its CA", async () => {
    const first = await loadTlsCredentials(home);
    const second = await loadTlsCredentials(home);
    expect(second.cert).to.equal(first.cert);
    const app = createHttpsApp({ tls: first });
    app.get("/", () => ({ ok: true }));
    const address = await listenLoopback(app);
    const untrusting = createHttpsAgent();
    try {
      let failure: unknown;
      try {
        await request(address.url, { dispatcher: untrusting });
      } catch (error) {
        failure = error;
      }
      expect(String((failure as { code?: string }).code ?? failure)).to.match(/SELF_SIGNED|UNABLE_TO|CERT/);
    } finally {
      await untrusting.close();
      await app.close();
    }
  });
});
