import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServices, type RunningServices } from "../../attestation-service/index.js";
import { manufactureTpm, parseTpmFault, serveTpm, TpmEmulator } from "../../tpm-emulator/index.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function apsim(home: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "--home", home, ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface OutcomeDocument {
  ok: boolean;
  code: string;
  hresult: string;
  akCertificate: string | null;
  steps: { name: string; status: string; code: string; hresult: string; ms: number }[];
}

describe("apsim device attest", function () {
  this.timeout(180_000);
  let home: string;
  let services: RunningServices;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-cli-attest-"));
    services = await startServices({ home, port: 0 });
  });
  after(async () => {
    await services?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("attests a TPM state directory and prints exactly one JSON document (exit 0)", async () => {
    const state = path.join(home, "ifx");
    await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home, seed: Buffer.alloc(32, 0x21), stateDir: state });
    const r = await apsim(home, "device", "attest", "--tpm", state, "--server", services.url, "--ak", "ecc", "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as OutcomeDocument;
    expect(Object.keys(doc)).to.deep.equal(["ok", "code", "hresult", "akCertificate", "steps"]);
    expect(doc).to.include({ ok: true, code: "OK", hresult: "0x00000000" });
    expect(doc.akCertificate).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(doc.steps.map((s) => s.name)).to.deep.equal([
      "tpmProperties",
      "endorsementKey",
      "ekCertificate",
      "attestationKey",
      "challenge",
      "activateCredential",
      "quote",
      "proof",
      "aikCertificate",
    ]);
    for (const step of doc.steps) expect(Object.keys(step)).to.deep.equal(["name", "status", "code", "hresult", "ms"]);
    expect(r.stderr).to.match(/challenge\s+ok/);
  });

  it("attests a TPM behind the simulator protocol (mssim://) and prints the steps for humans", async () => {
    const state = path.join(home, "stm");
    await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x22), stateDir: state });
    const server = await serveTpm(TpmEmulator.open(state), { protocol: "mssim" });
    try {
      const r = await apsim(home, "device", "attest", "--tpm", `mssim://127.0.0.1:${server.port}`, "--server", services.url, "--ak", "ecc");
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^tpmProperties\s+ok/m);
      expect(r.stdout).to.match(/^aikCertificate\s+ok/m);
      expect(r.stdout).to.match(/attested: AIK certificate issued\n-----BEGIN CERTIFICATE-----/);
    } finally {
      await server.close();
    }
  });

  it("exits non-zero with the Windows code when there is no TPM 2.0", async () => {
    const state = path.join(home, "tpm12");
    await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x23), stateDir: state, faults: [parseTpmFault("tpm12")] });
    const json = await apsim(home, "device", "attest", "--tpm", state, "--server", services.url, "--json");
    expect(json.code).to.equal(1);
    expect(JSON.parse(json.stdout) as OutcomeDocument).to.include({ ok: false, code: "NO_TPM", hresult: "0x800705b4", akCertificate: null });
    const human = await apsim(home, "device", "attest", "--tpm", state, "--server", services.url);
    expect(human.code).to.equal(1);
    expect(human.stdout).to.match(/not attested: NO_TPM \(0x800705b4\)/);
  });

  it("refuses an unknown key kind before touching the TPM", async () => {
    const r = await apsim(home, "device", "attest", "--tpm", path.join(home, "ifx"), "--server", services.url, "--ek", "dsa");
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/--ek/);
  });
});
