import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Dispatcher } from "undici";
import { formsOf, signInAtAuthenticationPage } from "../../../../agent/index.js";
import { loadTlsCredentials } from "../../../../certs/index.js";
import { createHttpsAgent, createHttpsApp, listenLoopback } from "../../../../lib/index.js";
import { ProtocolError } from "../../../../protocol/index.js";

describe("agent/mdm/enrollment/web-authentication-broker", function () {
  this.timeout(30_000);
  let home: string;
  let app: FastifyInstance;
  let url: string;
  let dispatcher: Dispatcher;
  /** What the page server answers: whatever the test puts here. */
  const pages = { get: "", post: "", postStatus: 200 };

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-broker-"));
    const tls = await loadTlsCredentials(home);
    app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) => done(null, body));
    app.get("/auth", (_request, reply) => reply.type("text/html").send(pages.get));
    app.post("/auth", (_request, reply) => reply.code(pages.postStatus).type("text/html").send(pages.post));
    const address = await listenLoopback(app);
    url = `https://127.0.0.1:${address.port}/auth`;
    dispatcher = createHttpsAgent({ ca: tls.ca });
  });
  after(async () => {
    await app?.close();
    await dispatcher?.close();
    await rm(home, { recursive: true, force: true });
  });

  async function codeOf(run: Promise<unknown>): Promise<string> {
    try {
      await run;
    } catch (error) {
      if (error instanceof ProtocolError) return error.code;
      throw error;
    }
    return "no error";
  }

  it("reads forms, their actions and their fields' unescaped values", () => {
    const forms = formsOf(
      `<form id="a" method="post" action="/x?a=1&amp;b=2"><input type="hidden" name="k" value="&quot;&lt;&#39;&amp;&gt;"><input name="empty"></form>` +
        `<form action="ms-app://z"><input name="wresult" value="t"></form>`,
    );
    expect(forms).to.have.length(2);
    expect(forms[0]).to.include({ id: "a", action: "/x?a=1&b=2" });
    expect([...forms[0]!.fields]).to.deep.equal([["k", `"<'&>`], ["empty", ""]]);
    expect(forms[1]!.fields.get("wresult")).to.equal("t");
  });

  it("refuses a sign-in form that posts the password to another origin", async () => {
    pages.get = `<form method="post" action="https://evil.example/steal"><input name="upn"><input type="password" name="password"></form>`;
    expect(await codeOf(signInAtAuthenticationPage({ authenticationServiceUrl: url, upn: "a@b.example", password: "pw" }, { dispatcher }))).to.equal(
      "MALFORMED_RESPONSE",
    );
  });

  it("returns wresult only from a form posting to the appru it passed", async () => {
    pages.get = `<form method="post" action="/auth"><input name="upn"><input type="password" name="password"></form>`;
    pages.post = `<form method="post" action="ms-app://other"><input name="wresult" value="token-1"></form>`;
    pages.postStatus = 200;
    const options = { authenticationServiceUrl: url, upn: "a@b.example", password: "pw", appru: "ms-app://mine" };
    expect(await codeOf(signInAtAuthenticationPage(options, { dispatcher }))).to.equal("MALFORMED_RESPONSE");
    pages.post = `<form method="post" action="ms-app://mine"><input name="wresult" value="token-2"></form>`;
    expect(await signInAtAuthenticationPage(options, { dispatcher })).to.equal("token-2");
  });

  it("refuses an AuthenticationServiceUrl that is not https", async () => {
    expect(await codeOf(signInAtAuthenticationPage({ authenticationServiceUrl: url.replace("https:", "http:"), upn: "a", password: "b" }, { dispatcher }))).to.equal(
      "MDE2_RESPONSE_INVALID",
    );
  });
});
