import { expect } from "chai";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TPM_SU, TpmClient } from "../../tpm2/index.js";
import { connect } from "node:net";

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

describe("apsim CLI", function () {
  this.timeout(180_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-cli-"));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("manufactures a discrete TPM with both EKs and prints exactly one JSON document", async () => {
    const state = path.join(home, "ifx");
    const r = await apsim(home, "tpm", "manufacture", "--vendor", "IFX", "--ek", "both", "--state", state, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { ekCertificates: Record<string, string>; seed: string };
    expect(doc.vendor).to.equal("IFX");
    expect(doc.manufacturerId).to.equal("0x49465800");
    expect(doc.ekCertificates.rsa).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(doc.ekCertificates.ecc).to.match(/^-----BEGIN CERTIFICATE-----/);
    expect(doc.seed).to.match(/^[0-9a-f]{64}$/);
    // the vendor CA keys are private to the user
    const pkiDir = path.join(home, "pki", "vendors", "IFX");
    for (const f of readdirSync(pkiDir).filter((n) => n.endsWith(".key.pem"))) {
      expect(statSync(path.join(pkiDir, f)).mode & 0o777).to.equal(0o600);
    }
  });

  it("makes two different TPMs from two runs without a seed, and the same TPM from the same seed", async () => {
    const run = async (name: string, ...extra: string[]) => {
      const r = await apsim(home, "tpm", "manufacture", "--vendor", "INTC", "--state", path.join(home, name), "--json", ...extra);
      expect(r.code, r.stderr).to.equal(0);
      return JSON.parse(r.stdout) as { ekPublicSha256: Record<string, string>; ekCertificates: Record<string, string>; kind: string };
    };
    const a = await run("a");
    const b = await run("b");
    expect(a.ekPublicSha256.ecc).to.not.equal(b.ekPublicSha256.ecc);
    const seed = "00112233445566778899aabbccddeeff";
    const c = await run("c", "--seed", seed);
    const d = await run("d", "--seed", seed);
    expect(c.ekPublicSha256).to.deep.equal(d.ekPublicSha256);
    expect(a.kind).to.equal("firmware");
    expect(a.ekCertificates).to.deep.equal({});
  });

  it("prints a TPM's identity with tpm info, and fails clearly on a missing state", async () => {
    const state = path.join(home, "stm");
    expect((await apsim(home, "tpm", "manufacture", "--vendor", "STM", "--ek", "ecc", "--state", state, "--firmware", "9.300")).code).to.equal(0);
    const r = await apsim(home, "tpm", "info", "--state", state, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const info = JSON.parse(r.stdout) as { firmware: string; nvIndices: { index: string; attributes: string; size: number }[]; pcrs: Record<string, string[]> };
    expect(info.firmware).to.equal("9.300");
    expect(info.nvIndices.map((n) => [n.index, n.attributes])).to.deep.equal([["0x01c0000a", "0x62072001"]]);
    expect(info.nvIndices[0]!.size).to.be.greaterThan(300);
    expect(info.pcrs.sha256).to.have.length(24);
    const missing = await apsim(home, "tpm", "info", "--state", path.join(home, "nothing"));
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.match(/no TPM state/);
    expect(missing.stdout).to.equal("");
  });

  it("rejects a bad vendor, seed or firmware with a one-line error", async () => {
    for (const args of [
      ["tpm", "manufacture", "--vendor", "XYZ", "--state", path.join(home, "x")],
      ["tpm", "manufacture", "--vendor", "IFX", "--state", path.join(home, "x"), "--seed", "zz"],
      ["tpm", "manufacture", "--vendor", "IFX", "--state", path.join(home, "x"), "--firmware", "1"],
    ]) {
      const r = await apsim(home, ...args);
      expect(r.code, args.join(" ")).to.not.equal(0);
      expect(r.stdout).to.equal("");
    }
  });

  it("shows every root and issuing CA of a vendor", async () => {
    const r = await apsim(home, "pki", "show", "--vendor", "IFX", "--json");
    expect(r.code, r.stderr).to.equal(0);
    const d = JSON.parse(r.stdout) as { cas: { role: string; kind: string; pem: string }[] };
    const kinds = d.cas.map((c) => `${c.role}/${c.kind}`).sort();
    expect(kinds).to.deep.equal(["issuing/ecc", "issuing/rsa", "root/ecc", "root/rsa"]);
    expect(r.stdout).to.not.match(/PRIVATE KEY/);
  });

  it("serves a TPM on loopback that a client drives, and persists state on SIGTERM", async () => {
    const state = path.join(home, "served");
    expect((await apsim(home, "tpm", "manufacture", "--vendor", "NTC", "--state", state)).code).to.equal(0);
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, "--home", home, "tpm", "serve", "--state", state, "--port", "0", "--json"]);
    let out = "";
    const ready = new Promise<{ port: number; host: string }>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        try {
          resolve(JSON.parse(out) as { port: number; host: string });
        } catch {
          // not the whole document yet
        }
      });
      child.on("exit", (code) => reject(new Error(`serve exited ${code}`)));
    });
    const { port, host } = await ready;
    expect(host).to.equal("127.0.0.1");
    const send = (cmd: Uint8Array) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const s = connect(port, host, () => s.write(cmd));
        const chunks: Buffer[] = [];
        s.on("data", (d: Buffer) => {
          chunks.push(d);
          const all = Buffer.concat(chunks);
          if (all.length >= 10 && all.length >= all.readUInt32BE(2)) {
            s.end();
            resolve(all);
          }
        });
        s.on("error", reject);
      });
    const client = new TpmClient(send);
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    expect((await client.run("GetRandom", { params: { bytesRequested: 8 } })).randomBytes).to.have.length(8);
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).to.equal(0);
    const info = await apsim(home, "tpm", "info", "--state", state, "--json");
    expect(info.code).to.equal(0);
  });
});
