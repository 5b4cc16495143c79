import { expect } from "chai";
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTpmRootCa, loadVendorPki, parseEkCertificate, verifyEkChain, x509 } from "../../certs/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import { TPM2B_PUBLIC, TPM_RH, TPM_SU, TpmClient, ekTemplateEcc, ekTemplateRsa, marshal, publicKeyOf, pw, unmarshal } from "../../tpm2/index.js";

const MAIN = fileURLToPath(new URL("../../cli/main.ts", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs apsim with `--home` after the subcommand, the way the usage line shows it. */
function apsim(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** An EK as the emulator makes it: CreatePrimary under the endorsement hierarchy with the default template. */
async function emulatorEk(kind: "rsa" | "ecc"): Promise<Uint8Array> {
  const tpm = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, kind === "rsa" ? 1 : 2) });
  const client = new TpmClient((command) => tpm.execute(command));
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  const ek = await client.run("CreatePrimary", {
    handles: [TPM_RH.ENDORSEMENT],
    auths: [pw()],
    params: {
      inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) },
      inPublic: kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc(),
      outsideInfo: Buffer.alloc(0),
      creationPCR: [],
    },
  });
  return marshal(TPM2B_PUBLIC, ek.outPublic);
}

describe("apsim pki", function () {
  this.timeout(180_000);
  let home: string;

  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-cli-pki-"));
  });

  after(() => rmSync(home, { recursive: true, force: true }));

  it("init creates every vendor PKI (IBM as a software vendor) and the TPM root, keys 0600", async () => {
    const r = await apsim("pki", "init", "--home", home, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { vendors: { code: string; kind: string; cas: string[] }[]; tpmRoot: { name: string; subject: string } };
    expect(doc.vendors.map((v) => v.code)).to.deep.equal(["IFX", "STM", "NTC", "INTC", "AMD", "QCOM", "IBM"]);
    expect(doc.vendors.find((v) => v.code === "IBM")?.kind).to.equal("software");
    expect(doc.tpmRoot.subject).to.include("CN=apsim simulated TPM Root Certificate Authority");
    for (const code of ["IFX", "IBM"]) {
      const dir = path.join(home, "pki", "vendors", code);
      for (const file of readdirSync(dir).filter((name) => name.endsWith(".key.pem"))) {
        expect(statSync(path.join(dir, file)).mode & 0o777, file).to.equal(0o600);
      }
    }
    expect(statSync(path.join(home, "pki", "aik", "TpmRootCA", "TpmRootCA.key.pem")).mode & 0o777).to.equal(0o600);
  });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`issue-ek-cert certifies an ${kind.toUpperCase()} EK given as the emulator's TPM2B_PUBLIC, as DER`, async () => {
      const ekFile = path.join(home, `ek-${kind}.pub`);
      const out = path.join(home, `ek-${kind}.der`);
      const tpm2b = await emulatorEk(kind);
      writeFileSync(ekFile, tpm2b);
      const r = await apsim("pki", "issue-ek-cert", "--home", home, "--vendor", "NTC", "--ek-pub", ekFile, "--out", out, "--model", "NPCT760", "--firmware", "7.2", "--json");
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.include({ vendor: "NTC", kind, model: "NPCT760", version: "id:00070002" });
      const der = readFileSync(out);
      expect(der[0]).to.equal(0x30);
      const parsed = parseEkCertificate(der);
      const ekKey = publicKeyOf(unmarshal(TPM2B_PUBLIC, tpm2b));
      expect(parsed.publicKey.equals(ekKey)).to.equal(true);
      expect(parsed).to.include({ manufacturerId: 0x4e544300, model: "NPCT760", version: 0x00070002, kind });
      const status = await verifyEkChain(await loadVendorPki(home, "NTC"), kind, der, new Date(Date.now() + 60_000));
      expect(status.valid, status.reason).to.equal(true);
    });
  }

  it("issue-ek-cert takes a PEM EK with the vendor's defaults, and fails clearly on a kind mismatch", async () => {
    const ek = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const ekFile = path.join(home, "ek.pem");
    writeFileSync(ekFile, ek.export({ type: "spki", format: "pem" }));
    const out = path.join(home, "intel-ek.der");
    const r = await apsim("pki", "issue-ek-cert", "--home", home, "--vendor", "INTC", "--ek-pub", ekFile, "--out", out);
    expect(r.code, r.stderr).to.equal(0);
    const parsed = parseEkCertificate(readFileSync(out));
    expect(parsed.publicKey.equals(ek)).to.equal(true);
    expect(parsed).to.include({ model: "PTT", version: (600 << 16) | 18 });
    const bad = await apsim("pki", "issue-ek-cert", "--home", home, "--vendor", "INTC", "--ek-pub", ekFile, "--out", out, "--kind", "rsa");
    expect(bad.code).to.not.equal(0);
    expect(bad.stderr).to.match(/^apsim: .*rsa/m);
  });

  it("show --aik prints the TPM Root CA; show needs --vendor or --aik", async () => {
    const r = await apsim("pki", "show", "--home", home, "--aik", "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { cas: { role: string; name: string; pem: string }[] };
    expect(doc.cas[0]).to.include({ role: "root", name: "TpmRootCA" });
    expect(new x509.X509Certificate(doc.cas[0]!.pem).subject).to.equal((await loadTpmRootCa(home)).certificate.subject);
    const vendor = await apsim("pki", "show", "--home", home, "--vendor", "IBM");
    expect(vendor.code, vendor.stderr).to.equal(0);
    expect(vendor.stdout).to.include("# root RSA: ");
    const neither = await apsim("pki", "show", "--home", home);
    expect(neither.code).to.not.equal(0);
  });

  it("export-trust writes the TrustedTpm.cab layout", async () => {
    const out = path.join(home, "bundle");
    const r = await apsim("pki", "export-trust", "--home", home, "--out", out, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { files: string[] };
    expect(doc.files).to.include("TpmRoot/RootCA/TpmRootCA.cer");
    expect(doc.files).to.include("IBM/RootCA/SwtpmLocalcaRootCA.cer");
    expect(readdirSync(path.join(out, "QC", "IntermediateCA"))).to.deep.equal(["QcomEkServiceSigningCA.cer"]);
    expect(readFileSync(path.join(out, "version.txt"), "utf8")).to.match(/^The certificates were last updated on: \d{2}-[A-Z][a-z]+-\d{4}\r\n/);
  });
});
