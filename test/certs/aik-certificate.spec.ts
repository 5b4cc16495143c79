import { expect } from "chai";
import { X509Certificate as NodeX509Certificate, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificatePolicies, UserNotice, id_ce_certificatePolicies } from "@peculiar/asn1-x509";
import os from "node:os";
import path from "node:path";
import {
  PkiError,
  issueAikCertificate,
  issueEkCertificate,
  loadAikIssuingCa,
  loadVendorPki,
  parseAikCertificate,
  x509,
  type AikCa,
  type AikCertificateRequest,
} from "../../certs/index.js";
import { openssl, requireOpenssl } from "./openssl.js";

const TPM = { manufacturerId: 0x49465800, model: "SLB9672", version: 0x0010000a };
const NOT_BEFORE = new Date("2026-01-01T00:00:00Z");
const NOT_AFTER = new Date("2027-01-01T00:00:00Z");

describe("certs/aik-certificate", function () {
  this.timeout(60_000);
  let home: string;
  let issuingCa: AikCa;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-cert-"));
    const pki = await loadVendorPki(home, "IFX");
    issuingCa = await loadAikIssuingCa(home, "IFX", pki.issuerFor("rsa").certificate);
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const request = (overrides: Partial<AikCertificateRequest> = {}): AikCertificateRequest => ({
    issuingCa,
    akPublicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
    tpm: TPM,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    ...overrides,
  });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`certifies a ${kind.toUpperCase()} AK with Microsoft's AIK profile`, async () => {
      const ak =
        kind === "rsa"
          ? generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey
          : generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
      const certificate = await issueAikCertificate(request({ akPublicKey: ak, serialNumber: "5a0001" }));
      expect(certificate.subject).to.equal("");
      expect(certificate.serialNumber).to.equal("5a0001");
      expect(Buffer.from(certificate.publicKey.rawData).equals(ak.export({ type: "spki", format: "der" }))).to.equal(true);
      const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
      expect(san?.critical).to.equal(true);
      expect(san?.names.items[0]?.value).to.equal("2.23.133.2.1=id:49465800, 2.23.133.2.2=SLB9672, 2.23.133.2.3=id:0010000A");
      expect(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).to.deep.equal(["2.23.133.8.3"]);
      expect(certificate.getExtension(x509.CertificatePolicyExtension)?.policies).to.deep.equal(["1.3.6.1.4.1.311.21.31"]);
      const policies = AsnConvert.parse(certificate.getExtension(id_ce_certificatePolicies)!.value, CertificatePolicies);
      const qualifier = policies[0]?.policyQualifiers?.[0];
      expect(qualifier?.policyQualifierId).to.equal("1.3.6.1.5.5.7.2.2");
      const notice = AsnConvert.parse(qualifier!.qualifier, UserNotice);
      expect(notice.explicitText?.bmpString).to.equal("TCPA  Trusted  Platform  Identity");
      const basic = certificate.getExtension(x509.BasicConstraintsExtension);
      expect([basic?.ca, basic?.critical]).to.deep.equal([false, true]);
      const usage = certificate.getExtension(x509.KeyUsagesExtension);
      expect([usage?.usages, usage?.critical]).to.deep.equal([x509.KeyUsageFlags.digitalSignature, true]);
      expect(certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).to.equal(
        issuingCa.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
      );
      expect(certificate.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers.map((n) => n.value)).to.deep.equal([issuingCa.aiaUrl]);
      expect(issuingCa.aiaUrl).to.match(/^http:\/\/aik\.tpm\.apsim\.test\/IFX-KEYID-[0-9a-f]{40}\.crt$/);

      const chain = await new x509.X509ChainBuilder({ certificates: [...issuingCa.chain] }).build(certificate);
      expect(chain).to.have.length(3);
      for (let i = 0; i < chain.length; i++) {
        const signer = chain[Math.min(i + 1, chain.length - 1)]!;
        expect(await chain[i]!.verify({ publicKey: signer.publicKey, date: new Date("2026-06-01T00:00:00Z") })).to.equal(true);
      }
      expect(new NodeX509Certificate(Buffer.from(certificate.rawData)).verify(new NodeX509Certificate(issuingCa.certificatePem).publicKey)).to.equal(true);
    });
  }

  it("is accepted by openssl verify up to the TPM Root CA", async function () {
    requireOpenssl(this);
    const dir = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-openssl-"));
    try {
      const certificate = await issueAikCertificate(request());
      const files = { aik: path.join(dir, "aik.pem"), ca: path.join(dir, "ca.pem"), root: path.join(dir, "root.pem") };
      await writeFile(files.aik, certificate.toString("pem"));
      await writeFile(files.ca, issuingCa.certificatePem);
      await writeFile(files.root, issuingCa.chain[1]!.toString("pem"));
      const verified = openssl(["verify", "-attime", String(Date.parse("2026-06-01") / 1000), "-CAfile", files.root, "-untrusted", files.ca, files.aik]);
      expect(verified.trim()).to.equal(`${files.aik}: OK`);
      const text = openssl(["x509", "-in", files.aik, "-noout", "-text"]);
      expect(text).to.include("Policy: 1.3.6.1.4.1.311.21.31");
      // openssl prints a BMPString notice as raw bytes (empty here); its presence is what it can show.
      expect(text).to.include("User Notice:");
      expect(text).to.match(/Subject Alternative Name: critical\s+DirName:\/2\.23\.133\.2\.1=id:49465800\/2\.23\.133\.2\.2=SLB9672\/2\.23\.133\.2\.3=id:0010000A/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("parseAikCertificate returns the TPM attributes and no violations for our certificates", async () => {
    const ak = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const certificate = await issueAikCertificate(request({ akPublicKey: await globalThis.crypto.subtle.importKey("spki", ak.export({ type: "spki", format: "der" }), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]) }));
    const parsed = parseAikCertificate(new Uint8Array(certificate.rawData));
    expect(parsed.tpm).to.deep.equal(TPM);
    expect(parsed.kind).to.equal("rsa");
    expect(parsed.violations).to.deep.equal([]);
    expect(parsed.issuer).to.equal(issuingCa.certificate.subject);
    expect(parsed.aiaUrl).to.equal(issuingCa.aiaUrl);
    expect(parsed.notAfter.toISOString()).to.equal(NOT_AFTER.toISOString());
    expect(parseAikCertificate(certificate).serialNumber).to.equal(certificate.serialNumber);
  });

  it("parseAikCertificate lists what an EK certificate lacks to be an AIK certificate", async () => {
    const pki = await loadVendorPki(home, "IFX");
    const ek = await issueEkCertificate(pki, {
      ekPublicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
      kind: "ecc",
      model: "SLB9672",
      version: 1,
      specification: { family: "2.0", level: 0, revision: 164 },
      notBefore: NOT_BEFORE,
    });
    const violations = parseAikCertificate(ek).violations;
    expect(violations).to.include("extKeyUsage lacks tcg-kp-AIKCertificate");
    expect(violations).to.include("certificatePolicies lacks 1.3.6.1.4.1.311.21.31");
    expect(violations).to.include("keyUsage is not critical digitalSignature");
  });

  it("rejects bad requests with AIK_REQUEST_INVALID and non-AIK input with AIK_CERT_MALFORMED", async () => {
    const code = async (run: () => unknown): Promise<string | undefined> => {
      try {
        await run();
      } catch (error) {
        return error instanceof PkiError ? error.code : String(error);
      }
      return undefined;
    };
    const ed = generateKeyPairSync("ed25519").publicKey;
    const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect(await code(() => issueAikCertificate(request({ akPublicKey: ed })))).to.equal("AIK_REQUEST_INVALID");
    expect(await code(() => issueAikCertificate(request({ akPublicKey: privateKey })))).to.equal("AIK_REQUEST_INVALID");
    expect(await code(() => issueAikCertificate(request({ notAfter: NOT_BEFORE })))).to.equal("AIK_REQUEST_INVALID");
    expect(await code(() => issueAikCertificate(request({ serialNumber: "00" })))).to.equal("AIK_REQUEST_INVALID");
    expect(await code(() => issueAikCertificate(request({ tpm: { ...TPM, model: "" } })))).to.equal("AIK_REQUEST_INVALID");
    expect(await code(() => parseAikCertificate(Uint8Array.of(1, 2, 3)))).to.equal("AIK_CERT_MALFORMED");
    expect(await code(() => parseAikCertificate(issuingCa.certificate))).to.equal("AIK_CERT_MALFORMED");
  });
});
