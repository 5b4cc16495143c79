import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describeAikPki, describeVendorPki, loadAikIssuingCa, loadVendorPki, x509 } from "../../certs/index.js";

describe("certs/pki-show", function () {
  this.timeout(60_000);
  let home: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-pki-show-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("describes every root and issuing CA with subject, kind and a parseable PEM", async () => {
    const description = describeVendorPki(await loadVendorPki(home, "IFX"));
    expect(description.vendor).to.include({ code: "IFX", manufacturerId: "id:49465800", kind: "discrete" });
    expect(description.cas.map((ca) => `${ca.role}:${ca.kind}:${ca.name}`)).to.deep.equal([
      "root:rsa:OptigaRsaRootCA",
      "root:ecc:OptigaEccRootCA",
      "issuing:rsa:OptigaRsaMfrCA001",
      "issuing:ecc:OptigaEccMfrCA001",
    ]);
    for (const ca of description.cas) {
      const parsed = new x509.X509Certificate(ca.pem);
      expect(parsed.subject).to.equal(ca.subject);
      expect(ca.subject).to.include("Simulated");
      expect(ca.sha256).to.match(/^[0-9A-F]{64}$/);
    }
  });

  it("never includes private key material", async () => {
    const description = JSON.stringify(describeVendorPki(await loadVendorPki(home, "IFX")));
    expect(description).to.not.include("PRIVATE KEY");
    const dir = path.join(home, "pki", "vendors", "IFX");
    for (const file of (await readdir(dir)).filter((name) => name.endsWith(".key.pem"))) {
      const body = (await readFile(path.join(dir, file), "utf8")).split("\n")[1] ?? "";
      expect(body.length).to.be.greaterThan(20);
      expect(description).to.not.include(body);
    }
  });

  it("describes the TPM Root CA and the AIK issuing CAs, root first, without keys", async () => {
    const ifx = await loadVendorPki(home, "IFX");
    const aik = await loadAikIssuingCa(home, "IFX", ifx.issuerFor("rsa").certificate);
    const description = await describeAikPki(home);
    expect(description.host).to.equal("aik.tpm.apsim.test");
    expect(description.cas.map((ca) => `${ca.role}:${ca.name}`)).to.deep.equal(["root:TpmRootCA", `issuing:${aik.name}`]);
    expect(description.cas[1]?.issuer).to.equal(description.cas[0]?.subject);
    expect(new x509.X509Certificate(description.cas[1]!.pem).subject).to.equal(`CN=${aik.name}`);
    expect(JSON.stringify(description)).to.not.include("PRIVATE KEY");
  });
});
