import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { VENDORS, exportTrustBundle, loadAikIssuingCa, loadTpmRootCa, loadVendorPki, x509 } from "../../certs/index.js";

describe("certs/trust-bundle", function () {
  this.timeout(60_000);
  let home: string;
  let out: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-bundle-home-"));
    out = await mkdtemp(path.join(os.tmpdir(), "apsim-bundle-out-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(out, { recursive: true, force: true });
  });

  it("writes every vendor's CAs, the TPM root and the AIK CAs in the TrustedTpm.cab layout", async () => {
    const ifx = await loadVendorPki(home, "IFX");
    const aik = await loadAikIssuingCa(home, "IFX", ifx.issuerFor("ecc").certificate);
    const summary = await exportTrustBundle(home, out, new Date("2026-11-21T10:00:00Z"));

    expect((await readdir(out)).sort()).to.deep.equal(
      ["AMD", "IBM", "Infineon", "Intel", "Nuvoton", "QC", "STMicro", "TpmRoot", "version.txt"].sort(),
    );
    expect(summary.files).to.include("Infineon/RootCA/OptigaRsaRootCA.cer");
    expect(summary.files).to.include("Infineon/IntermediateCA/OptigaEccMfrCA001.cer");
    expect(summary.files).to.include("TpmRoot/RootCA/TpmRootCA.cer");
    expect(summary.files).to.include(`TpmRoot/IntermediateCA/${aik.name}.cer`);
    const certificates = summary.files.filter((file) => file.endsWith(".cer"));
    const expected = VENDORS.reduce((n, vendor) => n + 2 * vendor.hierarchies.length, 0) + 2;
    expect(certificates).to.have.length(expected);

    const root = await loadTpmRootCa(home);
    const der = await readFile(path.join(out, "TpmRoot", "RootCA", "TpmRootCA.cer"));
    expect(der[0]).to.equal(0x30);
    expect(Buffer.from(root.certificate.rawData).equals(der)).to.equal(true);
    const intermediate = new x509.X509Certificate(await readFile(path.join(out, "TpmRoot", "IntermediateCA", `${aik.name}.cer`)));
    expect(await intermediate.verify({ publicKey: root.certificate.publicKey, signatureOnly: true })).to.equal(true);
    for (const file of certificates.filter((f) => f.startsWith("Intel/"))) {
      expect(new x509.X509Certificate(await readFile(path.join(out, file))).subject).to.include("Intel");
    }

    const version = await readFile(path.join(out, "version.txt"), "utf8");
    expect(version.split("\r\n")[0]).to.equal("The certificates were last updated on: 21-November-2026");
  });
});
