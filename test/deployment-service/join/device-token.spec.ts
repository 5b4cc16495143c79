import { expect } from "chai";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { deviceTokenKeyFile } from "../../../deployment-service/index.js";
import { loadDeviceTokens } from "../../../deployment-service/join/device-token.js";

describe("deployment-service/join/device-token", () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-device-token-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  const claims = { deviceId: "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a00", ztdId: "ztd-1", joinType: "entra" as const, mode: "self-deploying" as const };

  it("signs with one key per home (0600) and verifies its own unexpired tokens", async () => {
    const [tokens, again] = await Promise.all([loadDeviceTokens(home), loadDeviceTokens(home)]);
    expect((await stat(deviceTokenKeyFile(home))).mode & 0o777).to.equal(0o600);
    const now = Date.UTC(2026, 5, 1);
    const token = await tokens.sign(claims, now, 60_000);
    expect(await again.verify(token, now + 59_000)).to.include({ sub: claims.deviceId, deviceid: claims.deviceId, ztdid: "ztd-1", jointype: "entra" });
    expect(await tokens.verify(token, now + 60_000)).to.equal(undefined);
    const [header, payload, signature] = token.split(".");
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), exp: 9e9 })).toString("base64url");
    expect(await tokens.verify(`${header}.${widened}.${signature}`, now)).to.equal(undefined);
  });

  it("refuses a token of another home", async () => {
    const other = await mkdtemp(path.join(os.tmpdir(), "apsim-device-token-other-"));
    try {
      const token = await (await loadDeviceTokens(other)).sign(claims, Date.UTC(2026, 5, 1));
      expect(await (await loadDeviceTokens(home)).verify(token, Date.UTC(2026, 5, 1))).to.equal(undefined);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
