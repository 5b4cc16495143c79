import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Dispatcher } from "undici";
import { HRESULT_BAD_DIGEST, HRESULT_CANNOT_CONNECT, downloadVerified } from "../../../../agent/index.js";
import { loadTlsCredentials } from "../../../../certs/index.js";
import { createHttpsAgent, createHttpsApp, listenLoopback } from "../../../../lib/index.js";

describe("agent/mdm/apps/content-download: fetching app content with its hash checked", function () {
  this.timeout(30_000);
  const bytes = Buffer.from("the app's content");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  let home: string;
  let app: FastifyInstance;
  let dispatcher: Dispatcher;
  let base: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-content-"));
    const tls = await loadTlsCredentials(home);
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    app.get("/content", (_request, reply) => reply.type("application/octet-stream").send(bytes));
    const address = await listenLoopback(app);
    base = `https://127.0.0.1:${address.port}`;
    dispatcher = createHttpsAgent({ ca: tls.ca });
  });
  after(async () => {
    await dispatcher.close();
    await app.close();
    await rm(home, { recursive: true, force: true });
  });

  it("returns the bytes when their SHA-256 is the one announced, in either case", async () => {
    const result = await downloadVerified(`${base}/content`, sha256.toUpperCase(), dispatcher);
    expect(result.ok && result.bytes.equals(bytes)).to.equal(true);
  });

  it("fails with TRUST_E_BAD_DIGEST on another hash, the HTTP status HRESULT on an error, and refuses plain HTTP", async () => {
    expect(await downloadVerified(`${base}/content`, "0".repeat(64), dispatcher)).to.deep.include({ ok: false, hresult: HRESULT_BAD_DIGEST });
    expect(await downloadVerified(`${base}/missing`, sha256, dispatcher)).to.deep.include({ ok: false, hresult: 0x80190194 | 0 });
    expect(await downloadVerified(`${base.replace("https", "http")}/content`, sha256, dispatcher)).to.deep.include({ ok: false, hresult: HRESULT_CANNOT_CONNECT });
  });
});
