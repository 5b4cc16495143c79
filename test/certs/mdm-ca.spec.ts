import { expect } from "chai";
import { X509Certificate as NodeCertificate } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MDM_CA_COMMON_NAME, PkiError, issueMdmClientCertificate, loadMdmCa, x509 } from "../../certs/index.js";
import { buildCsr } from "./csr-builder.js";

describe("certs/mdm-ca", function () {
  this.timeout(30_000);
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-mdm-ca-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it("creates the MDM device CA once under the home, key 0600, and loads the same one again", async () => {
    const [first, concurrent] = await Promise.all([loadMdmCa(home), loadMdmCa(home)]);
    expect(first.certificate.serialNumber).to.equal(concurrent.certificate.serialNumber);
    const again = await loadMdmCa(home);
    expect(again.certificate.serialNumber).to.equal(first.certificate.serialNumber);
    expect(first.certificate.subject).to.contain(`CN=${MDM_CA_COMMON_NAME}`);
    expect(await first.certificate.isSelfSigned()).to.equal(true);
    const keyMode = (await stat(path.join(home, "pki", "mdm", "MdmDeviceCA", "MdmDeviceCA.key.pem"))).mode & 0o777;
    expect(keyMode).to.equal(0o600);
  });

  it("issues a client-auth certificate for the request's key that chains to the CA", async () => {
    const ca = await loadMdmCa(home);
    const csr = buildCsr({ commonName: "device" });
    const now = new Date(Date.UTC(2026, 2, 1));
    const spki = csr.publicKey.export({ format: "der", type: "spki" });
    const certificate = await issueMdmClientCertificate(ca, { subjectPublicKeyInfo: spki, commonName: "6E3C1D1A-0000-4000-8000-000000000001", now });
    expect(certificate.subject).to.equal("CN=6E3C1D1A-0000-4000-8000-000000000001");
    expect(Buffer.from(certificate.publicKey.rawData).equals(spki)).to.equal(true);
    expect(await certificate.verify({ publicKey: ca.certificate.publicKey, signatureOnly: true })).to.equal(true);
    expect(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).to.deep.equal([x509.ExtendedKeyUsage.clientAuth]);
    expect(certificate.getExtension(x509.BasicConstraintsExtension)?.ca).to.equal(false);
    expect(certificate.notBefore.getTime()).to.be.below(now.getTime());
    expect(certificate.notAfter.getTime() - now.getTime()).to.equal(365 * 86_400_000);
    const node = new NodeCertificate(Buffer.from(certificate.rawData));
    expect(node.checkIssued(new NodeCertificate(Buffer.from(ca.certificate.rawData)))).to.equal(true);
    expect(node.publicKey.equals(csr.publicKey)).to.equal(true);
    const other = await issueMdmClientCertificate(ca, { subjectPublicKeyInfo: spki, commonName: "other", now });
    expect(other.serialNumber).to.not.equal(certificate.serialNumber);
  });

  it("refuses an empty or over-long common name", async () => {
    const ca = await loadMdmCa(home);
    const spki = buildCsr({ commonName: "x" }).publicKey.export({ format: "der", type: "spki" });
    let caught: unknown;
    try {
      await issueMdmClientCertificate(ca, { subjectPublicKeyInfo: spki, commonName: "", now: new Date() });
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(PkiError).with.property("code", "CA_REQUEST_INVALID");
  });
});
