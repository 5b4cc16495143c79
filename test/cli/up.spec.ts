import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { request, type Dispatcher } from "undici";
import { loadTlsTrust, x509 } from "../../certs/index.js";
import { adminTokenFile, createHttpsAgent } from "../../lib/index.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

interface Started {
  child: ChildProcess;
  document: { url: string; adminTokenFile: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Spawns `apsim … --json` and resolves with the JSON document it prints once listening. */
function startApsim(home: string, ...args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      try {
        resolve({ child, document: JSON.parse(stdout) as Started["document"], exited });
      } catch {
        // the document is not complete yet
      }
    });
    void exited.then(({ code }) => reject(new Error(`apsim exited (${code}) before listening: ${stderr}`)));
  });
}

function apsim(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args], { timeout: 60_000, env: { ...process.env, APSIM_ADMIN_TOKEN: "" } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("apsim up / serve / admin vendor-fault", function () {
  this.timeout(180_000);
  let home: string;
  let dispatcher: Dispatcher;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-up-"));
    dispatcher = createHttpsAgent({ ca: await loadTlsTrust(home) });
  });
  after(async () => {
    await dispatcher.close();
    await rm(home, { recursive: true, force: true });
  });

  it("apsim up prints its URL and token file, serves the vendor CAs over HTTPS, takes faults at run time, and exits 0 on SIGTERM", async () => {
    const started = await startApsim(home, "up", "--port", "0", "--vendor-fault", "AMD=outage");
    try {
      expect(started.document.url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started.document.adminTokenFile).to.equal(adminTokenFile(home));
      const root = await request(`${started.document.url}pki.ifx.vendors.apsim.test/OptigaEccRootCA.crt`, { dispatcher });
      expect(root.statusCode).to.equal(200);
      expect(new x509.X509Certificate(Buffer.from(await root.body.arrayBuffer())).subject).to.contain("Infineon");
      const amd = await request(`${started.document.url}pki.amd.vendors.apsim.test/AmdTpmRootCA.crt`, { dispatcher });
      expect(amd.statusCode, "started with AMD=outage").to.equal(503);
      await amd.body.dump();

      const set = await apsim(home, "admin", "vendor-fault", "--server", started.document.url, "--vendor", "IFX", "--set", "outage", "--json");
      expect(set.code, set.stderr).to.equal(0);
      expect(JSON.parse(set.stdout)).to.deep.equal({ vendor: "IFX", faults: ["outage"] });
      const down = await request(`${started.document.url}pki.ifx.vendors.apsim.test/OptigaEccRootCA.crt`, { dispatcher });
      expect(down.statusCode).to.equal(503);
      await down.body.dump();
      const cleared = await apsim(home, "admin", "vendor-fault", "--server", started.document.url, "--vendor", "IFX", "--clear");
      expect(cleared.code, cleared.stderr).to.equal(0);
      expect(cleared.stdout.trim()).to.equal("IFX: no faults");

      const wrongToken = await apsim(home, "admin", "vendor-fault", "--server", started.document.url, "--vendor", "IFX", "--admin-token", "not-the-token-of-this-home-000");
      expect(wrongToken.code).to.not.equal(0);
      expect(wrongToken.stderr).to.match(/401|admin token/);
    } finally {
      started.child.kill("SIGTERM");
    }
    const exit = await started.exited;
    expect(exit.code, exit.stderr).to.equal(0);
  });

  it("apsim serve vendors runs the vendor endpoints alone and exits 0 on SIGINT", async () => {
    const started = await startApsim(home, "serve", "vendors", "--port", "0");
    try {
      const root = await request(`${started.document.url}pki.intc.vendors.apsim.test/IntelPttEkRootCA.crt`, { dispatcher });
      expect(root.statusCode).to.equal(200);
      await root.body.dump();
      const jwks = await request(`${started.document.url}attestation/v1/jwks`, { dispatcher });
      expect(jwks.statusCode).to.equal(404);
      await jwks.body.dump();
    } finally {
      started.child.kill("SIGINT");
    }
    const exit = await started.exited;
    expect(exit.code, exit.stderr).to.equal(0);
  });

  it("refuses a bad --vendor-fault with a one-line reason", async () => {
    const run = await apsim(home, "up", "--port", "0", "--vendor-fault", "INTC=meltdown");
    expect(run.code).to.not.equal(0);
    expect(run.stderr).to.match(/unknown fault/);
  });
});
