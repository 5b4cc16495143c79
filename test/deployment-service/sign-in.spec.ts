import { expect } from "chai";
import { request } from "undici";
import { enrollDevice } from "../../agent/index.js";
import { decodeJws } from "../../lib/index.js";
import { SIGN_IN_PATH } from "../../protocol/index.js";
import { sharedRsaKey } from "../certs/csr-builder.js";
import { USER, enrollingDevice, startSignInServer, type SignInServer } from "./support/sign-in-server.js";

interface Answer {
  readonly accessToken?: string;
  readonly expiresIn?: number;
  readonly error?: { readonly code: string; readonly hresult?: string };
}

describe("deployment-service/sign-in: the token endpoint over HTTPS", function () {
  this.timeout(60_000);
  let server: SignInServer;

  before(async () => {
    server = await startSignInServer();
  });
  after(async () => {
    await server?.close();
  });

  async function signIn(body: unknown): Promise<{ status: number; body: Answer }> {
    const answer = await request(`${server.url}${SIGN_IN_PATH}`, {
      method: "POST",
      dispatcher: server.dispatcher,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
    return { status: answer.statusCode, body: (await answer.body.json()) as Answer };
  }

  const enrollWith = (token: string, suffix: string) =>
    enrollDevice({
      serverUrl: server.url,
      dispatcher: server.dispatcher,
      credentials: { kind: "federated", token },
      device: enrollingDevice(suffix),
      enrollmentType: "Full",
      clock: server.clock,
      keySource: () => Promise.resolve(sharedRsaKey()),
    });

  it("issues a user token naming the user, the tenant and the audience asked for", async () => {
    const answer = await signIn({ upn: USER.upn.toUpperCase(), password: USER.password, audience: "device-registration" });
    expect(answer.status).to.equal(200);
    expect(answer.body.expiresIn).to.equal(3600);
    const payload = decodeJws(answer.body.accessToken!)!.payload;
    expect(payload).to.include({ sub: USER.upn, tid: server.tenantId, aud: "device-registration", iat: server.clock.now() / 1000 });
  });

  it("answers a wrong password and an unknown user alike: 401 SIGN_IN_INVALID_CREDENTIALS, no token", async () => {
    for (const credentials of [
      { upn: USER.upn, password: "Wrong horse 1" },
      { upn: "nobody@fabrikam.example", password: USER.password },
    ]) {
      const answer = await signIn({ ...credentials, audience: "mdm" });
      expect(answer.status).to.equal(401);
      expect(answer.body.error?.code).to.equal("SIGN_IN_INVALID_CREDENTIALS");
      expect(answer.body.accessToken).to.equal(undefined);
    }
  });

  it("refuses a request with an unknown audience or a missing password as MALFORMED_REQUEST", async () => {
    for (const body of [{ ...USER, audience: "graph" }, { upn: USER.upn, audience: "mdm" }, ["not", "an", "object"]]) {
      const answer = await signIn(body);
      expect(answer.status, JSON.stringify(body)).to.equal(400);
      expect(answer.body.error?.code).to.equal("MALFORMED_REQUEST");
    }
  });

  it("a token for audience mdm enrolls; one for device registration is refused by enrollment", async () => {
    const mdm = (await signIn({ ...USER, audience: "mdm" })).body.accessToken!;
    const enrolled = await enrollWith(mdm, "A001");
    expect(enrolled, JSON.stringify(enrolled)).to.include({ ok: true });
    const other = (await signIn({ ...USER, audience: "device-registration" })).body.accessToken!;
    expect(await enrollWith(other, "A002")).to.include({ ok: false, code: "MDE2_AUTHENTICATION" });
  });

  it("an expired token is refused by enrollment", async () => {
    const token = (await signIn({ ...USER, audience: "mdm" })).body.accessToken!;
    server.clock.advance(3600 * 1000);
    expect(await enrollWith(token, "A003")).to.include({ ok: false, code: "MDE2_AUTHENTICATION" });
    const fresh = (await signIn({ ...USER, audience: "mdm" })).body.accessToken!;
    expect(await enrollWith(fresh, "A004")).to.include({ ok: true });
  });
});
