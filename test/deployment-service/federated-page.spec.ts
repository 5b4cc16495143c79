import { expect } from "chai";
import { createHash } from "node:crypto";
import { request } from "undici";
import { discoverAuthenticationServiceUrl, enrollDevice, formsOf, signInAtAuthenticationPage } from "../../agent/index.js";
import { decodeJws } from "../../lib/index.js";
import { FEDERATED_AUTHENTICATION_PATH, ProtocolError } from "../../protocol/index.js";
import { sharedRsaKey } from "../certs/csr-builder.js";
import { USER, enrollingDevice, startSignInServer, type SignInServer } from "./support/sign-in-server.js";

const APPRU = "ms-app://s-1-15-2-1929813726-example";

describe("deployment-service/federated-page: the Federated authentication page over HTTPS", function () {
  this.timeout(60_000);
  let server: SignInServer;
  let pageUrl: string;

  before(async () => {
    server = await startSignInServer();
    pageUrl = new URL(FEDERATED_AUTHENTICATION_PATH, server.url).href;
  });
  after(async () => {
    await server?.close();
  });

  async function open(query: Record<string, string>) {
    const answer = await request(`${pageUrl}?${new URLSearchParams(query).toString()}`, { dispatcher: server.dispatcher });
    return { status: answer.statusCode, headers: answer.headers, html: await answer.body.text() };
  }

  async function submit(form: Record<string, string>) {
    const answer = await request(pageUrl, {
      method: "POST",
      dispatcher: server.dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
    return { status: answer.statusCode, headers: answer.headers, html: await answer.body.text() };
  }

  it("serves the sign-in form with a hostile login_hint and appru escaped, and nothing loaded from elsewhere", async () => {
    const hint = `"><script>alert('x')</script><img src=https://evil.example/a>`;
    const appru = `${APPRU}?"><b>bold</b>`;
    const page = await open({ appru, login_hint: hint });
    expect(page.status).to.equal(200);
    expect(page.headers["content-type"]).to.match(/^text\/html/);
    expect(page.headers["content-security-policy"]).to.include("default-src 'none'");
    expect(page.html).to.not.include("<script>alert");
    expect(page.html).to.not.include("<img");
    expect(page.html).to.not.include("<b>bold");
    // with every quoted attribute value blanked, what is left is markup: it must reference no resource
    expect(page.html.replace(/"[^"]*"/g, '""')).to.not.match(/\b(src|href)=/i);
    const form = formsOf(page.html).find((f) => f.fields.has("password"));
    expect(form?.action).to.equal(FEDERATED_AUTHENTICATION_PATH);
    expect(form?.fields.get("upn")).to.equal(hint);
    expect(form?.fields.get("appru")).to.equal(appru);
  });

  it("refuses an appru that is not an ms-app:// URI, on the page and on the form's answer", async () => {
    for (const appru of ["https://evil.example/collect", "javascript:alert(1)", "ms-app:no-slashes", ""]) {
      const page = await open({ appru, login_hint: USER.upn });
      expect(page.status, appru).to.equal(400);
      expect(page.html).to.include('data-error-code="FEDERATED_APPRU_INVALID"');
    }
    expect((await open({ login_hint: USER.upn })).status).to.equal(400);
    const answer = await submit({ appru: "https://evil.example/collect", upn: USER.upn, password: USER.password });
    expect(answer.status).to.equal(400);
    expect(formsOf(answer.html).some((f) => f.fields.has("wresult"))).to.equal(false);
  });

  it("answers a wrong password with the form again and its error, 401, and no token", async () => {
    const answer = await submit({ appru: APPRU, upn: USER.upn, password: "Wrong horse 1" });
    expect(answer.status).to.equal(401);
    expect(answer.html).to.include('data-error-code="SIGN_IN_INVALID_CREDENTIALS"');
    const forms = formsOf(answer.html);
    expect(forms.some((f) => f.fields.has("wresult"))).to.equal(false);
    expect(forms.find((f) => f.fields.has("password"))?.fields.get("upn")).to.equal(USER.upn);
  });

  it("refuses a form body over its size limit (413), issuing no token", async () => {
    const large = await submit({ appru: APPRU, upn: USER.upn, password: USER.password, padding: "x".repeat(8 * 1024) });
    expect(large.status).to.equal(413);
    expect(large.html).to.not.include("wresult");
  });

  it("answers the right password with a form posting wresult to appru, its auto-submit script allowed by hash", async () => {
    const answer = await submit({ appru: APPRU, upn: USER.upn, password: USER.password });
    expect(answer.status).to.equal(200);
    const form = formsOf(answer.html).find((f) => f.action === APPRU);
    const token = form?.fields.get("wresult");
    expect(decodeJws(token!)?.payload).to.include({ sub: USER.upn, aud: "mdm", tid: server.tenantId });
    const script = /<script>([\s\S]*?)<\/script>/.exec(answer.html)![1]!;
    const hash = createHash("sha256").update(script).digest("base64");
    expect(answer.headers["content-security-policy"]).to.include(`'sha256-${hash}'`);
    expect(answer.headers["cache-control"]).to.equal("no-store");
  });

  it("the broker flow from discovery's AuthenticationServiceUrl gives a wresult that Federated enrollment accepts", async () => {
    const authenticationServiceUrl = await discoverAuthenticationServiceUrl(server.url, USER.upn, { dispatcher: server.dispatcher });
    expect(authenticationServiceUrl).to.equal(pageUrl);
    const token = await signInAtAuthenticationPage({ authenticationServiceUrl, upn: USER.upn, password: USER.password }, { dispatcher: server.dispatcher });
    const outcome = await enrollDevice({
      serverUrl: server.url,
      dispatcher: server.dispatcher,
      credentials: { kind: "federated", token, upn: USER.upn },
      device: enrollingDevice("F001"),
      enrollmentType: "Full",
      clock: server.clock,
      keySource: () => Promise.resolve(sharedRsaKey()),
    });
    expect(outcome, JSON.stringify(outcome)).to.include({ ok: true });
    const refused = await enrollDevice({
      serverUrl: server.url,
      dispatcher: server.dispatcher,
      credentials: { kind: "federated", token: `${token.slice(0, -4)}AAAA`, upn: USER.upn },
      device: enrollingDevice("F002"),
      enrollmentType: "Full",
      clock: server.clock,
      keySource: () => Promise.resolve(sharedRsaKey()),
    });
    expect(refused).to.include({ ok: false, code: "MDE2_AUTHENTICATION" });
  });

  it("the broker flow reports a wrong password as SIGN_IN_INVALID_CREDENTIALS", async () => {
    let caught: unknown;
    try {
      await signInAtAuthenticationPage({ authenticationServiceUrl: pageUrl, upn: USER.upn, password: "Wrong horse 1" }, { dispatcher: server.dispatcher });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ProtocolError);
    expect((caught as ProtocolError).code).to.equal("SIGN_IN_INVALID_CREDENTIALS");
  });
});
