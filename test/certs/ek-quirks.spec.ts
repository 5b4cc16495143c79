import { expect } from "chai";
import { X509Certificate as NodeX509Certificate, generateKeyPair, type KeyObject } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  issueEkCertificate,
  loadVendorPki,
  parseEkCertificate,
  verifyCertificateSignature,
  x509,
  type EkCertificateRequest,
  type VendorPki,
} from "../../certs/index.js";
import { openssl, requireOpenssl } from "./openssl.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** Reference §1.4: the basicConstraints extension of a real Intel PTT EK certificate, cA FALSE explicit. */
const INTEL_BASIC_CONSTRAINTS = "300f0603551d130101ff04053003010100";
/** subjectDirectoryAttributes with critical FALSE explicit: OID, BOOLEAN 00, then the OCTET STRING. */
const EXPLICIT_NONCRITICAL_SDA = "0603551d0901010004";
/** The DER forms of the same two extensions. */
const DER_BASIC_CONSTRAINTS = "300c0603551d130101ff04023000";
const DER_SDA = "0603551d0904";

const hex = (der: Uint8Array): string => Buffer.from(der).toString("hex");

describe("certs/ek-quirks (EK certificates as real vendors encode them)", function () {
  this.timeout(60_000);
  let home: string;
  let work: string;
  let intel: VendorPki;
  let infineon: VendorPki;
  let rsaEk: KeyObject;

  const request = (overrides: Partial<EkCertificateRequest> = {}): EkCertificateRequest => ({
    ekPublicKey: rsaEk,
    kind: "rsa",
    model: "CNL",
    version: 0x00020001,
    specification: { family: "2.0", level: 0, revision: 103 },
    notBefore: new Date("2019-04-16T00:00:00Z"),
    ...overrides,
  });

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-quirks-home-"));
    work = await mkdtemp(path.join(os.tmpdir(), "apsim-quirks-files-"));
    [intel, infineon, { publicKey: rsaEk }] = await Promise.all([
      loadVendorPki(home, "INTC"),
      loadVendorPki(home, "IFX"),
      generateKeyPairAsync("rsa", { modulusLength: 2048 }),
    ]);
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  describe("Intel's explicit FALSE (the vendor default)", () => {
    let der: Uint8Array<ArrayBuffer>;

    before(async () => {
      der = await issueEkCertificate(intel, request());
    });

    it("encodes basicConstraints byte for byte as a real Intel PTT EK certificate", () => {
      expect(hex(der)).to.include(INTEL_BASIC_CONSTRAINTS);
      expect(hex(der)).to.not.include(DER_BASIC_CONSTRAINTS);
    });

    it("encodes subjectDirectoryAttributes' critical FALSE explicitly", () => {
      expect(hex(der)).to.include(EXPLICIT_NONCRITICAL_SDA);
    });

    it("is not DER: re-encoding the parsed TBSCertificate changes its bytes", () => {
      const parsed = AsnConvert.parse(der, Certificate);
      const raw = Buffer.from(parsed.tbsCertificateRaw ?? new ArrayBuffer(0));
      const reencoded = Buffer.from(AsnConvert.serialize(parsed.tbsCertificate));
      expect(raw.length).to.be.greaterThan(0);
      expect(reencoded.equals(raw)).to.equal(false);
      // The explicit critical FALSE (01 01 00) goes; basicConstraints' value is an opaque OCTET STRING here.
      expect(reencoded.length).to.equal(raw.length - 3);
    });

    it("verifies with node:crypto, @peculiar/x509 and verifyCertificateSignature over the raw TBS", async () => {
      const issuing = intel.issuerFor("rsa");
      expect(new NodeX509Certificate(der).verify(new NodeX509Certificate(issuing.certificatePem).publicKey)).to.equal(true);
      expect(await new x509.X509Certificate(der).verify({ publicKey: issuing.certificate.publicKey, signatureOnly: true })).to.equal(true);
      expect(await verifyCertificateSignature(der, issuing.certificate.publicKey)).to.equal(true);
      expect(await verifyCertificateSignature(der, infineon.issuerFor("ecc").certificate.publicKey)).to.equal(false);
    });

    it("is accepted by openssl verify against the issuing CA alone (-partial_chain)", async function () {
      requireOpenssl(this);
      const [issuing] = intel.chainFor("rsa");
      const files = { ek: path.join(work, "intel-ek.der"), issuing: path.join(work, "intel-issuing.pem") };
      await writeFile(files.ek, der);
      await writeFile(files.issuing, issuing.certificatePem);
      expect(openssl(["verify", "-partial_chain", "-trusted", files.issuing, files.ek]).trim()).to.equal(`${files.ek}: OK`);
      expect(openssl(["x509", "-inform", "DER", "-in", files.ek, "-noout", "-text"])).to.match(/Basic Constraints: critical\s+CA:FALSE/);
    });

    it("still parses with parseEkCertificate", () => {
      const parsed = parseEkCertificate(der);
      expect(parsed).to.include({ manufacturerId: 0x494e5443, model: "CNL", version: 0x00020001 });
      expect(parsed.specification).to.deep.equal({ family: "2.0", level: 0, revision: 103 });
      expect(new x509.X509Certificate(der).getExtension(x509.BasicConstraintsExtension)?.ca).to.equal(false);
    });

    it("can be turned off per certificate, giving DER", async () => {
      const plain = await issueEkCertificate(intel, request({ quirks: { explicitFalse: false } }));
      expect(hex(plain)).to.include(DER_BASIC_CONSTRAINTS);
      expect(hex(plain)).to.include(DER_SDA);
      expect(hex(plain)).to.not.include(EXPLICIT_NONCRITICAL_SDA);
    });
  });

  it("issues DER for vendors without quirks, and the quirk on request for any vendor", async () => {
    const plain = await issueEkCertificate(infineon, request());
    expect(hex(plain)).to.include(DER_BASIC_CONSTRAINTS);
    const quirky = await issueEkCertificate(infineon, request({ quirks: { explicitFalse: true } }));
    expect(hex(quirky)).to.include(INTEL_BASIC_CONSTRAINTS);
    expect(await verifyCertificateSignature(quirky, infineon.issuerFor("rsa").certificate.publicKey)).to.equal(true);
  });

  describe("single-RDN SAN and missing AKI", () => {
    let der: Uint8Array<ArrayBuffer>;

    before(async () => {
      der = await issueEkCertificate(infineon, request({ model: "SLB9672", quirks: { singleRdnSan: true, omitAuthorityKeyId: true } }));
    });

    it("puts the three TPM attributes in one RDN", () => {
      const san = new x509.X509Certificate(der).getExtension(x509.SubjectAlternativeNameExtension);
      const dn = san?.names.items[0]?.value ?? "";
      expect(dn).to.equal("2.23.133.2.1=id:49465800+2.23.133.2.2=SLB9672+2.23.133.2.3=id:00020001");
    });

    it("has no authorityKeyIdentifier", () => {
      expect(new x509.X509Certificate(der).getExtension(x509.AuthorityKeyIdentifierExtension)).to.equal(null);
      expect(parseEkCertificate(der).authorityKeyId).to.equal(undefined);
    });

    it("still verifies and parses", async () => {
      const issuing = infineon.issuerFor("rsa");
      expect(new NodeX509Certificate(der).verify(new NodeX509Certificate(issuing.certificatePem).publicKey)).to.equal(true);
      expect(await verifyCertificateSignature(der, issuing.certificate.publicKey)).to.equal(true);
      expect(parseEkCertificate(der)).to.include({ manufacturerId: 0x49465800, model: "SLB9672", version: 0x00020001 });
    });

    it("shows the one-RDN DirName in openssl x509 -text", async function () {
      requireOpenssl(this);
      const file = path.join(work, "single-rdn.der");
      await writeFile(file, der);
      const text = openssl(["x509", "-inform", "DER", "-in", file, "-noout", "-text"]);
      expect(text).to.include("DirName:/2.23.133.2.1=id:49465800+2.23.133.2.2=SLB9672+2.23.133.2.3=id:00020001");
      expect(text).to.not.include("Authority Key Identifier");
    });
  });
});
