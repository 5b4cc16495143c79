import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  TPM_ROOT_CA_COMMON_NAME,
  aikIssuingCaName,
  generateCaKeyPair,
  listAikIssuingCas,
  loadAikIssuingCa,
  loadTpmRootCa,
  loadVendorPki,
  x509,
} from "../../certs/index.js";

describe("certs/aik-pki", function () {
  this.timeout(60_000);
  let home: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-pki-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("creates a self-signed RSA TPM Root CA once, keys 0600", async function () {
    const root = await loadTpmRootCa(home);
    expect(root.name).to.equal("TpmRootCA");
    expect(root.certificate.subject).to.include(`CN=${TPM_ROOT_CA_COMMON_NAME}`);
    expect(await root.certificate.isSelfSigned()).to.equal(true);
    expect(root.certificate.signatureAlgorithm.name).to.equal("RSASSA-PKCS1-v1_5");
    expect(root.certificate.getExtension(x509.BasicConstraintsExtension)?.ca).to.equal(true);
    expect(root.chain).to.have.length(1);
    expect((await loadTpmRootCa(home)).certificatePem).to.equal(root.certificatePem);
    if (process.platform === "win32") return;
    const dir = path.join(home, "pki", "aik", "TpmRootCA");
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    expect((await stat(path.join(dir, "TpmRootCA.key.pem"))).mode & 0o777).to.equal(0o600);
  });

  it("names an AIK issuing CA after the EK issuing CA's key identifier and shapes it like Microsoft's", async () => {
    const pki = await loadVendorPki(home, "IFX");
    const ekIssuer = pki.issuerFor("rsa").certificate;
    const ski = ekIssuer.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId.toLowerCase();
    const ca = await loadAikIssuingCa(home, "ifx", ekIssuer);
    expect(ca.name).to.equal(`IFX-KEYID-${ski}`);
    expect(ca.certificate.subject).to.equal(`CN=IFX-KEYID-${ski}`);
    const root = await loadTpmRootCa(home);
    expect(ca.chain.map((cert) => cert.subject)).to.deep.equal([ca.certificate.subject, root.certificate.subject]);
    expect(await ca.certificate.verify({ publicKey: root.certificate.publicKey, signatureOnly: true })).to.equal(true);
    const basic = ca.certificate.getExtension(x509.BasicConstraintsExtension);
    expect([basic?.ca, basic?.pathLength, basic?.critical]).to.deep.equal([true, 0, true]);
    const usage = ca.certificate.getExtension(x509.KeyUsagesExtension);
    expect(usage?.critical).to.equal(true);
    expect(usage!.usages & x509.KeyUsageFlags.keyCertSign).to.not.equal(0);
    expect(usage!.usages & x509.KeyUsageFlags.digitalSignature).to.not.equal(0);
    expect(ca.certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).to.deep.equal(["1.3.6.1.4.1.311.21.36", "2.23.133.8.3"]);
    expect(ca.certificate.getExtension(x509.CertificatePolicyExtension)?.policies).to.deep.equal(["1.3.6.1.4.1.311.21.31"]);
    expect(ca.certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).to.equal(
      root.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(ca.certificate.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers.map((n) => n.value)).to.deep.equal([
      "http://aik.tpm.apsim.test/TpmRootCA.crt",
    ]);
    expect(ca.aiaUrl).to.equal(`http://aik.tpm.apsim.test/IFX-KEYID-${ski}.crt`);
  });

  it("names it by NAMEID (SHA-1 of the issuer name) when the EK issuing CA has no SKI", async () => {
    const keys = await generateCaKeyPair("ecc");
    const subject = new x509.Name("CN=Legacy EK CA, O=Old Vendor");
    const legacy = await x509.X509CertificateGenerator.create({
      subject,
      issuer: subject,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      notBefore: new Date("2015-01-01T00:00:00Z"),
      notAfter: new Date("2040-01-01T00:00:00Z"),
    });
    const nameId = createHash("sha1").update(new Uint8Array(subject.toArrayBuffer())).digest("hex");
    expect(aikIssuingCaName("ATML", legacy)).to.equal(`ATML-NAMEID-${nameId}`);
    const ca = await loadAikIssuingCa(home, "ATML", legacy);
    expect(ca.certificate.subject).to.equal(`CN=ATML-NAMEID-${nameId}`);
  });

  it("loads the same CA again and lists every AIK issuing CA created", async () => {
    const pki = await loadVendorPki(home, "IFX");
    const first = await loadAikIssuingCa(home, "IFX", pki.issuerFor("rsa").certificate);
    const again = await loadAikIssuingCa(home, "IFX", pki.issuerFor("rsa").certificate);
    expect(again.certificatePem).to.equal(first.certificatePem);
    const listed = (await listAikIssuingCas(home)).map((ca) => ca.name);
    expect(listed).to.include(first.name);
    expect(listed.some((name) => name.startsWith("ATML-NAMEID-"))).to.equal(true);
    expect(listed).to.not.include("TpmRootCA");
  });

  it("lets concurrent first uses agree on one root and one intermediate, leaving no staging directory", async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-race-"));
    try {
      const pki = await loadVendorPki(home, "NTC");
      const ekIssuer = pki.issuerFor("ecc").certificate;
      const results = await Promise.all([1, 2, 3].map(() => loadAikIssuingCa(fresh, "NTC", ekIssuer)));
      for (const ca of results) {
        expect(ca.certificatePem).to.equal(results[0]!.certificatePem);
        expect(ca.chain[1]!.toString("pem")).to.equal(results[0]!.chain[1]!.toString("pem"));
        expect(await ca.certificate.verify({ publicKey: ca.chain[1]!.publicKey, signatureOnly: true })).to.equal(true);
      }
      expect((await readdir(path.join(fresh, "pki", "aik"))).sort()).to.deep.equal([results[0]!.name, "TpmRootCA"].sort());
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it("rejects a vendor code that is not a TCG vendor ID code", async () => {
    const pki = await loadVendorPki(home, "IFX");
    expect(() => aikIssuingCaName("../x", pki.issuerFor("rsa").certificate)).to.throw(/vendor code/);
  });
});
