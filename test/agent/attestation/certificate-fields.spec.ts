import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CertificateFormatError,
  isSelfIssued,
  mayHaveIssued,
  readCertificateFields,
} from "../../../agent/attestation/certificate-fields.js";
import { loadVendorPki, type VendorPki } from "../../../certs/index.js";

describe("agent/attestation: certificate fields read from DER", function () {
  this.timeout(60_000);
  let home: string;
  let pki: VendorPki;
  let issuingDer: Buffer;
  let rootDer: Buffer;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-fields-"));
    pki = await loadVendorPki(home, "IFX");
    const issuing = pki.chainFor("rsa")[0];
    issuingDer = Buffer.from(issuing.certificate.rawData);
    rootDer = Buffer.from(pki.roots.find((root) => new X509Certificate(issuingDer).checkIssued(new X509Certificate(Buffer.from(root.certificate.rawData))))!.certificate.rawData);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("reads the caIssuers URLs that node:crypto reads from the AIA extension", () => {
    const fields = readCertificateFields(issuingDer);
    const expected = new X509Certificate(issuingDer)
      .infoAccess!.split("\n")
      .map((line) => /^CA Issuers - URI:(.+)$/.exec(line.trim())?.[1])
      .filter((url) => url !== undefined);
    expect(expected).to.have.length.greaterThan(0);
    expect(fields.caIssuers).to.deep.equal(expected);
  });

  it("tells which certificate may have issued which, as node:crypto's checkIssued does", () => {
    const issuing = readCertificateFields(issuingDer);
    const root = readCertificateFields(rootDer);
    expect(mayHaveIssued(root, issuing)).to.equal(true);
    expect(new X509Certificate(issuingDer).checkIssued(new X509Certificate(rootDer))).to.equal(true);
    expect(mayHaveIssued(issuing, root)).to.equal(false);
    expect(mayHaveIssued(issuing, issuing)).to.equal(false);
    expect(isSelfIssued(root)).to.equal(true);
    expect(isSelfIssued(issuing)).to.equal(false);
    expect(issuing.authorityKeyId).to.deep.equal(root.subjectKeyId);
  });

  it("refuses what is not a certificate's DER with CertificateFormatError", () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from("not a certificate"), issuingDer.subarray(0, issuingDer.length - 10), Buffer.from([0x30, 0x84, 0, 0, 0, 1, 0])]) {
      expect(() => readCertificateFields(bytes)).to.throw(CertificateFormatError);
    }
    const trailing = Buffer.concat([issuingDer, Buffer.from([0x05, 0x00])]);
    expect(() => readCertificateFields(trailing)).to.throw(CertificateFormatError);
  });
});
