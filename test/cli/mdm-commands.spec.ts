/** `apsim admin mdm queue|commands` with `apsim device sync`: an administrator sets and reads a device's policy. */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { VirtualDevice } from "../../agent/index.js";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { createProfileAt, deploymentServiceMount, importCsvAt } from "../../deployment-service/index.js";
import { TEST_PASSWORD_COST } from "../deployment-service/support/directory.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));
const enrollmentKey = generateKeyPairSync("rsa", { modulusLength: 2048 });

function apsim(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args], { timeout: 60_000, env: { ...process.env, APSIM_ADMIN_TOKEN: "" } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("apsim admin mdm", function () {
  this.timeout(120_000);
  let home: string;
  let services: RunningServices;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-mdm-cli-"));
    services = await startServices({ home, port: 0, extraServices: [deploymentServiceMount({ passwordCost: TEST_PASSWORD_COST })] });
  });
  after(async () => {
    await services?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("queues a Replace and a Get of a policy; after a sync the commands show 200 and the value read back", async () => {
    const ca = await loadTlsTrust(home);
    const admin = { serverUrl: services.url, adminToken: services.adminToken, ca };
    await createProfileAt(admin, { name: "Kiosks", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Kiosk" } });
    const device = await VirtualDevice.create({ dir: path.join(home, "kiosk"), home, vendor: "IFX", seed: Buffer.alloc(32, 0x55) });
    await importCsvAt(admin, Buffer.from(await device.autopilotCsv({ groupTag: "Kiosk" }), "latin1"));
    expect((await device.oobe({ serverUrl: services.url, ca, enrollmentKeySource: () => Promise.resolve(enrollmentKey) })).ok).to.equal(true);
    const { enrollmentId } = (await device.enrollment())!;
    const policy = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
    const run = (...args: string[]) => apsim(home, "admin", "mdm", ...args, "--server", services.url, "--device", enrollmentId);

    const replace = await run("queue", "--replace", `${policy}:int=0`, "--json");
    expect(replace.code, replace.stderr).to.equal(0);
    expect(JSON.parse(replace.stdout)).to.include({ state: "queued" });
    expect((await run("queue", "--get", policy)).code).to.equal(0);
    expect((await run("queue", "--get", "--replace", "x=1")).code).to.equal(1);

    expect((await apsim(home, "device", "sync", "--dir", device.dir)).code).to.equal(0);
    const listed = await run("commands", "--json");
    expect(listed.code, listed.stderr).to.equal(0);
    const { commands } = JSON.parse(listed.stdout) as { commands: { state: string; status: number; results: { data?: string }[] }[] };
    expect(commands.map((c) => [c.state, c.status])).to.deep.equal([
      ["completed", 200],
      ["completed", 200],
    ]);
    expect(commands[1]!.results.map((r) => r.data)).to.deep.equal(["0"]);
    expect((await run("commands")).stdout).to.match(/Replace\s+completed\s+200/);
  });
});
