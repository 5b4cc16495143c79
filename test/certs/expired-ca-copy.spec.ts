import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PkiError, issueExpiredCopy, loadVendorPki, x509, type VendorPki } from "../../certs/index.js";

const AT = new Date("2026-06-01T12:00:00Z");

describe("certs/expired-ca-copy", function () {
  this.timeout(60_000);
  let home: string;
  let pki: VendorPki;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-expired-"));
    pki = await loadVendorPki(home, "NTC");
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("re-issues an issuing CA with the same subject, key and extensions, expired at the given time", async () => {
    const [issuing, root] = pki.chainFor("ecc");
    const copy = await issueExpiredCopy(issuing, AT);
    expect(copy.subject).to.equal(issuing.certificate.subject);
    expect(copy.issuer).to.equal(root.certificate.subject);
    expect(Buffer.from(copy.publicKey.rawData).equals(Buffer.from(issuing.certificate.publicKey.rawData))).to.equal(true);
    expect(copy.serialNumber).to.not.equal(issuing.certificate.serialNumber);
    expect(copy.notAfter.getTime()).to.be.lessThan(AT.getTime());
    expect(copy.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).to.equal(
      issuing.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
    expect(copy.getExtension(x509.BasicConstraintsExtension)?.pathLength).to.equal(0);
    expect(await copy.verify({ publicKey: root.certificate.publicKey, signatureOnly: true })).to.equal(true);
    expect(await copy.verify({ publicKey: root.certificate.publicKey, date: AT })).to.equal(false);
    expect(await issuing.certificate.verify({ publicKey: root.certificate.publicKey, date: AT })).to.equal(true);
  });

  it("re-signs a root with its own key", async () => {
    const root = pki.roots[0]!;
    const copy = await issueExpiredCopy(root, AT);
    expect(await copy.isSelfSigned()).to.equal(true);
    expect(copy.notAfter.getTime()).to.be.lessThan(AT.getTime());
  });

  it("refuses an issuing CA whose issuer is unknown", async () => {
    const { issuer: _issuer, ...orphan } = pki.issuerFor("rsa");
    let caught: unknown;
    try {
      await issueExpiredCopy(orphan, AT);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(PkiError);
    expect((caught as PkiError).code).to.equal("CA_REQUEST_INVALID");
  });
});
