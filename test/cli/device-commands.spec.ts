import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUTOPILOT_CSV_HEADER, parseAutopilotCsv, type HardwareHashReport } from "../../protocol/index.js";

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

describe("apsim device create / device hash / hash decode", function () {
  this.timeout(180_000);
  let home: string;
  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-cli-device-"));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("creates a device, writes the Get-WindowsAutopilotInfo CSV, and decodes the hash it holds", async () => {
    const dir = path.join(home, "dev1");
    const created = await apsim(home, "device", "create", "--vendor", "IFX", "--model", "hp-elitebook-840-g10", "--dir", dir, "--json");
    expect(created.code, created.stderr).to.equal(0);
    const doc = JSON.parse(created.stdout) as { dir: string; seed: string; device: { smbios: { serialNumber: string } } };
    expect(doc.seed).to.match(/^[0-9a-f]{64}$/);

    const csv = path.join(home, "devices.csv");
    const hashed = await apsim(home, "device", "hash", "--dir", dir, "--csv", csv, "--group-tag", "Kiosk", "--assigned-user", "ada@contoso.com");
    expect(hashed.code, hashed.stderr).to.equal(0);
    const text = readFileSync(csv, "latin1");
    expect(text.split("\r\n")[0]).to.equal(AUTOPILOT_CSV_HEADER);
    const parsed = parseAutopilotCsv(text);
    expect(parsed.errors).to.deep.equal([]);
    expect(parsed.rows).to.have.length(1);
    const row = parsed.rows[0]!;
    expect(row).to.include({ serialNumber: doc.device.smbios.serialNumber, productId: "", groupTag: "Kiosk", assignedUser: "ada@contoso.com" });

    const decoded = await apsim(home, "hash", "decode", row.hardwareHash, "--json");
    expect(decoded.code, decoded.stderr).to.equal(0);
    const report = JSON.parse(decoded.stdout) as HardwareHashReport;
    expect(report.findings).to.deep.equal([]);
    expect(report.records.find((r) => r.name === "SmbiosSystemSerialNumber")?.value).to.equal(doc.device.smbios.serialNumber);

    const text2 = await apsim(home, "hash", "decode", row.hardwareHash);
    expect(text2.stdout).to.include(`SmbiosSystemSerialNumber: "${doc.device.smbios.serialNumber}"`);
    expect(text2.stdout).to.include("critical fields: all present");
  });

  it("makes the same device from the same seed, and prints the hash without --csv", async () => {
    const seed = "00112233445566778899aabbccddeeff";
    const hashes: string[] = [];
    for (const name of ["same-a", "same-b"]) {
      const dir = path.join(home, name);
      expect((await apsim(home, "device", "create", "--vendor", "AMD", "--dir", dir, "--seed", seed)).code).to.equal(0);
      const r = await apsim(home, "device", "hash", "--dir", dir);
      expect(r.code, r.stderr).to.equal(0);
      hashes.push(r.stdout.trim());
    }
    expect(hashes[0]).to.match(/^T0[A-Za-z0-9+/]+=*$/);
    expect(hashes[1]).to.equal(hashes[0]);
  });

  it("reports a device without a TPM as critical for TPM attestation in --json", async () => {
    const dir = path.join(home, "no-tpm");
    expect((await apsim(home, "device", "create", "--vendor", "IFX", "--model", "custom-desktop-no-tpm", "--dir", dir)).code).to.equal(0);
    const r = await apsim(home, "device", "hash", "--dir", dir, "--json");
    expect(r.code, r.stderr).to.equal(0);
    const doc = JSON.parse(r.stdout) as { findings: { code: string; scope: string }[] };
    expect(doc.findings).to.deep.equal([
      { code: "HASH_TPM_MISSING", field: "TpmVersion", scope: "tpm-attestation", message: "no TPM: self-deploying and pre-provisioning need TPM 2.0" },
    ]);
  });

  it("fails with a one-line error carrying the stable code", async () => {
    const bad = await apsim(home, "hash", "decode", "T0E=");
    expect(bad.code).to.equal(1);
    expect(bad.stderr.trim().split("\n").at(-1)).to.match(/^apsim: .*\(HARDWARE_HASH_MALFORMED\)$/);
    const missing = await apsim(home, "device", "hash", "--dir", path.join(home, "nothing-here"));
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/\(DEVICE_NOT_FOUND\)/);
    const wrongVendor = await apsim(home, "device", "create", "--vendor", "AMD", "--model", "dell-latitude-7440", "--dir", path.join(home, "x"));
    expect(wrongVendor.code).to.equal(1);
    expect(wrongVendor.stderr).to.match(/\(DEVICE_VENDOR_UNSUPPORTED\)/);
  });
});
