import { expect } from "chai";
import { mkdtemp, readdir, rm, stat, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PkiError, loadVendorPki, x509, type VendorCa } from "../../certs/index.js";

const pems = (cas: readonly VendorCa[]): string[] => cas.map((ca) => ca.certificatePem);

describe("certs/vendor-pki", function () {
  let home: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-vendor-pki-"));
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("creates Infineon's RSA and ECC roots and manufacturing CAs on first use", async () => {
    const pki = await loadVendorPki(home, "IFX");
    expect(pki.roots.map((ca) => [ca.kind, ca.name])).to.deep.equal([
      ["rsa", "OptigaRsaRootCA"],
      ["ecc", "OptigaEccRootCA"],
    ]);
    expect(pki.issuingCas.map((ca) => [ca.kind, ca.name])).to.deep.equal([
      ["rsa", "OptigaRsaMfrCA001"],
      ["ecc", "OptigaEccMfrCA001"],
    ]);
    const rsaRoot = pki.roots[0]?.certificate;
    expect(rsaRoot?.subject).to.include("CN=Simulated Infineon OPTIGA(TM) RSA Root CA");
    expect(rsaRoot?.signatureAlgorithm.name).to.equal("RSASSA-PKCS1-v1_5");
    expect((rsaRoot?.publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).to.equal(2048);
    const eccRoot = pki.roots[1]?.certificate;
    expect(eccRoot?.signatureAlgorithm.name).to.equal("ECDSA");
    expect((eccRoot?.publicKey.algorithm as EcKeyAlgorithm).namedCurve).to.equal("P-256");
  });

  it("stores keys with mode 0600 in a 0700 directory and certificates as PEM", async function () {
    if (process.platform === "win32") this.skip();
    await loadVendorPki(home, "IFX");
    const dir = path.join(home, "pki", "vendors", "IFX");
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    const files = await readdir(dir);
    const keys = files.filter((file) => file.endsWith(".key.pem"));
    expect(keys).to.have.length(4);
    for (const key of keys) expect((await stat(path.join(dir, key))).mode & 0o777, key).to.equal(0o600);
    expect(files.filter((file) => file.endsWith(".crt.pem"))).to.have.length(4);
  });

  it("loads the same CAs on later calls instead of generating new ones", async () => {
    const first = await loadVendorPki(home, "IFX");
    const second = await loadVendorPki(home, "ifx");
    expect(pems(second.roots)).to.deep.equal(pems(first.roots));
    expect(pems(second.issuingCas)).to.deep.equal(pems(first.issuingCas));
  });

  it("gives issuing CAs pathlen 0, keyCertSign|cRLSign, SKI/AKI and port-free AIA/CRL URLs", async () => {
    const pki = await loadVendorPki(home, "IFX");
    for (const [issuing, root] of [pki.chainFor("rsa"), pki.chainFor("ecc")]) {
      const cert = issuing.certificate;
      const basic = cert.getExtension(x509.BasicConstraintsExtension);
      expect(basic?.ca).to.equal(true);
      expect(basic?.pathLength).to.equal(0);
      expect(basic?.critical).to.equal(true);
      const usage = cert.getExtension(x509.KeyUsagesExtension);
      expect(usage?.usages).to.equal(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      expect(usage?.critical).to.equal(true);
      const rootSki = root.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
      expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).to.equal(rootSki);
      expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).to.be.a("string");
      const aia = cert.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers.map((name) => name.value);
      expect(aia).to.deep.equal([`http://pki.ifx.vendors.apsim.test/${root.name}.crt`]);
      const crl = cert.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints[0];
      expect(crl?.distributionPoint?.fullName?.[0]?.uniformResourceIdentifier).to.equal(root.crlUrl);
      expect(root.crlUrl).to.equal(`http://pki.ifx.vendors.apsim.test/${root.name}.crl`);
      expect(issuing.aiaUrl).to.equal(`http://pki.ifx.vendors.apsim.test/${issuing.name}.crt`);
      expect(await cert.verify({ publicKey: root.certificate.publicKey, signatureOnly: true })).to.equal(true);
      const rootBasic = root.certificate.getExtension(x509.BasicConstraintsExtension);
      expect(rootBasic?.ca).to.equal(true);
      expect(await root.certificate.isSelfSigned()).to.equal(true);
    }
  });

  it("picks the issuing CA by the vendor's rule: Intel signs RSA EKs with its ECC CA", async () => {
    const intel = await loadVendorPki(home, "INTC");
    expect(intel.issuerFor("rsa").kind).to.equal("ecc");
    expect(intel.issuerFor("ecc").kind).to.equal("ecc");
    expect(intel.roots).to.have.length(1);
  });

  it("lets concurrent first uses agree on one PKI and leaves no staging directory", async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), "apsim-vendor-pki-race-"));
    try {
      const results = await Promise.all([1, 2, 3].map(() => loadVendorPki(fresh, "STM")));
      for (const pki of results) {
        expect(pems(pki.roots)).to.deep.equal(pems(results[0]?.roots ?? []));
        expect(pems(pki.issuingCas)).to.deep.equal(pems(results[0]?.issuingCas ?? []));
      }
      expect(await readdir(path.join(fresh, "pki", "vendors"))).to.deep.equal(["STM"]);
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it("refuses a PKI directory with a missing key instead of silently replacing it", async () => {
    const fresh = await mkdtemp(path.join(os.tmpdir(), "apsim-vendor-pki-broken-"));
    try {
      await loadVendorPki(fresh, "INTC");
      await unlink(path.join(fresh, "pki", "vendors", "INTC", "IntelPttEkIntermediateCA.key.pem"));
      let caught: unknown;
      try {
        await loadVendorPki(fresh, "INTC");
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PkiError);
      expect((caught as PkiError).code).to.equal("PKI_INCOMPLETE");
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });

  it("rejects an unknown vendor code", async () => {
    let caught: unknown;
    try {
      await loadVendorPki(home, "XYZ");
    } catch (error) {
      caught = error;
    }
    expect((caught as PkiError).code).to.equal("UNKNOWN_VENDOR");
  });
});
