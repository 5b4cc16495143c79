import { expect } from "chai";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_USER_TOKEN_TTL_MS, USER_TOKEN_ISSUER, loadUserTokens, userTokenKeyFile } from "../../../deployment-service/directory/user-tokens.js";
import { decodeJws } from "../../../lib/index.js";
import { ManualClock } from "../../../lib/index.js";

const USER = { upn: "adele@contoso.example", tenantId: "6f1c2d3e-0000-4000-8000-000000000001" };

describe("deployment-service/directory/user-tokens", () => {
  let home: string;
  let otherHome: string;

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-user-tokens-"));
    otherHome = await mkdtemp(path.join(os.tmpdir(), "apsim-user-tokens-other-"));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(otherHome, { recursive: true, force: true });
  });

  it("issues an ES256 JWT whose claims name the user, tenant and audience, valid for the token lifetime", async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 9, 30));
    const tokens = await loadUserTokens(home, clock);
    const token = await tokens.sign({ ...USER, audience: "mdm" });
    expect(decodeJws(token)?.header).to.include({ alg: "ES256", typ: "JWT" });
    const claims = await tokens.verify(token, "mdm");
    expect(claims).to.include({ iss: USER_TOKEN_ISSUER, sub: USER.upn, tid: USER.tenantId, aud: "mdm", iat: clock.now() / 1000 });
    expect(claims!.exp - claims!.iat).to.equal(DEFAULT_USER_TOKEN_TTL_MS / 1000);
    expect(claims!.jti).to.match(/^[0-9a-f-]{36}$/);
    expect((await tokens.verify(await tokens.sign({ ...USER, audience: "mdm" }), "mdm"))!.jti).to.not.equal(claims!.jti);
  });

  it("refuses a token of another audience", async () => {
    const tokens = await loadUserTokens(home, new ManualClock());
    const token = await tokens.sign({ ...USER, audience: "device-registration" });
    expect(await tokens.verify(token, "device-registration")).to.include({ aud: "device-registration" });
    expect(await tokens.verify(token, "mdm")).to.equal(undefined);
  });

  it("refuses a token once the clock reaches its expiry", async () => {
    const clock = new ManualClock();
    const tokens = await loadUserTokens(home, clock);
    const token = await tokens.sign({ ...USER, audience: "mdm" }, 60_000);
    clock.advance(59_000);
    expect(await tokens.verify(token, "mdm")).to.include({ sub: USER.upn });
    clock.advance(1_000);
    expect(await tokens.verify(token, "mdm")).to.equal(undefined);
  });

  it("refuses a token whose payload was altered, and one signed by another home", async () => {
    const clock = new ManualClock();
    const tokens = await loadUserTokens(home, clock);
    const [header, , signature] = (await tokens.sign({ ...USER, audience: "mdm" })).split(".");
    const forged = Buffer.from(JSON.stringify({ iss: USER_TOKEN_ISSUER, sub: "admin@contoso.example", tid: USER.tenantId, aud: "mdm", iat: 0, exp: 4e9, jti: "x" })).toString("base64url");
    expect(await tokens.verify(`${header}.${forged}.${signature}`, "mdm")).to.equal(undefined);
    expect(await tokens.verify("not-a-token", "mdm")).to.equal(undefined);
    const foreign = await (await loadUserTokens(otherHome, clock)).sign({ ...USER, audience: "mdm" });
    expect(await tokens.verify(foreign, "mdm")).to.equal(undefined);
  });

  it("keeps its key in a 0600 file made on first use, so tokens outlive a restart", async () => {
    const clock = new ManualClock();
    const token = await (await loadUserTokens(home, clock)).sign({ ...USER, audience: "mdm" });
    expect((await stat(userTokenKeyFile(home))).mode & 0o777).to.equal(0o600);
    const [first, second] = await Promise.all([loadUserTokens(home, clock), loadUserTokens(home, clock)]);
    expect(await first.verify(token, "mdm")).to.include({ sub: USER.upn });
    expect(await second.verify(token, "mdm")).to.include({ sub: USER.upn });
  });
});
