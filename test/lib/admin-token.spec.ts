import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AdminTokenError, adminTokenFile, bearerTokenMatches, loadOrCreateAdminToken, readAdminToken } from "../../lib/index.js";

describe("lib/admin-token", () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-admin-token-"));
  });
  afterEach(async () => rm(home, { recursive: true, force: true }));

  it("creates 32 random bytes as base64url in <home>/admin-token, mode 0600, and returns the same token next time", async () => {
    const token = await loadOrCreateAdminToken(home);
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).to.have.length(32);
    const file = adminTokenFile(home);
    expect(file).to.equal(path.join(home, "admin-token"));
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    expect((await readFile(file, "utf8")).trim()).to.equal(token);
    expect(await loadOrCreateAdminToken(home)).to.equal(token);
    expect(await readdir(home)).to.deep.equal(["admin-token"]);
  });

  it("reads the token without creating one", async () => {
    expect(await readAdminToken(home)).to.equal(undefined);
    expect(await readdir(home)).to.deep.equal([]);
    const token = await loadOrCreateAdminToken(home);
    expect(await readAdminToken(home)).to.equal(token);
  });

  it("gives every concurrent caller the same token (the first creation wins)", async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateAdminToken(home)));
    expect(new Set(tokens).size).to.equal(1);
    expect((await readFile(adminTokenFile(home), "utf8")).trim()).to.equal(tokens[0]);
  });

  it("creates the home directory when it does not exist yet, and different homes get different tokens", async () => {
    const nested = path.join(home, "a", "b");
    const first = await loadOrCreateAdminToken(nested);
    const second = await loadOrCreateAdminToken(path.join(home, "c"));
    expect(first).to.not.equal(second);
  });

  it("refuses a token file that holds no token instead of trusting it", async () => {
    await writeFile(adminTokenFile(home), "short\n");
    let caught: unknown;
    try {
      await loadOrCreateAdminToken(home);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(AdminTokenError);
    expect((caught as AdminTokenError).code).to.equal("ADMIN_TOKEN_INVALID");
  });

  it("matches only `Bearer <token>`", async () => {
    const token = await loadOrCreateAdminToken(home);
    expect(bearerTokenMatches(`Bearer ${token}`, token)).to.equal(true);
    expect(bearerTokenMatches(`bearer ${token}`, token)).to.equal(true);
    expect(bearerTokenMatches(undefined, token)).to.equal(false);
    expect(bearerTokenMatches("", token)).to.equal(false);
    expect(bearerTokenMatches(token, token)).to.equal(false);
    expect(bearerTokenMatches(`Basic ${token}`, token)).to.equal(false);
    expect(bearerTokenMatches(`Bearer ${token}x`, token)).to.equal(false);
    expect(bearerTokenMatches(`Bearer ${token.slice(0, -1)}`, token)).to.equal(false);
    expect(bearerTokenMatches(`Bearer ${token} extra`, token)).to.equal(false);
    expect(bearerTokenMatches("Bearer ", "")).to.equal(false);
  });
});
