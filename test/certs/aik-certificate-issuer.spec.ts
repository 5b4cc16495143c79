import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  PkiError,
  createAikCertificateIssuer,
  issueAikCertificate,
  loadAikIssuingCa,
  loadVendorPki,
  parseAikCertificate,
  x509,
  type AikCa,
  type AikCertificateIssuer,
} from "../../certs/index.js";

const TPM = { manufacturerId: 0x53544d20, model: "ST33KTPM2X", version: 0x00090101 };
const NOT_BEFORE = new Date("2026-01-01T00:00:00Z");
const NOT_AFTER = new Date("2027-01-01T00:00:00Z");

describe("certs/aik-certificate: createAikCertificateIssuer", function () {
  this.timeout(60_000);
  let home: string;
  let issuingCa: AikCa;
  let issuer: AikCertificateIssuer;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-aik-issuer-"));
    const pki = await loadVendorPki(home, "STM");
    issuingCa = await loadAikIssuingCa(home, "STM", pki.issuerFor("ecc").certificate);
    issuer = await createAikCertificateIssuer(issuingCa);
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const keys = {
    ecc: () => generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
    rsa: () => generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey,
  };

  for (const kind of ["ecc", "rsa"] as const) {
    // RSA PKCS#1 v1.5 signatures are deterministic, so equal TBS bytes make equal certificates.
    it(`issues byte for byte what issueAikCertificate issues (${kind.toUpperCase()} AK, serials of every shape)`, async () => {
      const akPublicKey = keys[kind]();
      for (const serialNumber of ["4a0102030405060708090a0b0c0d0e0f", "8f", "00ff", "abc"]) {
        const request = { akPublicKey, tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, serialNumber };
        const reference = new Uint8Array((await issueAikCertificate({ issuingCa, ...request })).rawData);
        expect(Buffer.from(await issuer.issue(request)).toString("hex"), serialNumber).to.equal(Buffer.from(reference).toString("hex"));
      }
    });
  }

  it("issues byte for byte what issueAikCertificate issues for dates with milliseconds, after 2049, and any TPM", async () => {
    const akPublicKey = keys.ecc();
    const requests = [
      { tpm: TPM, notBefore: new Date("2026-03-04T05:06:07.891Z"), notAfter: new Date("2027-03-04T05:06:07.999Z") },
      { tpm: TPM, notBefore: new Date("2049-12-31T23:59:59.500Z"), notAfter: new Date("2050-01-01T00:00:00.250Z") },
      { tpm: TPM, notBefore: new Date("1999-01-01T00:00:00Z"), notAfter: new Date("9999-12-31T23:59:59Z") },
      { tpm: { manufacturerId: 0, model: "Ω model ".repeat(20), version: 0xffffffff }, notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
    ];
    for (const fields of requests) {
      const request = { akPublicKey, serialNumber: "7e", ...fields };
      const reference = new Uint8Array((await issueAikCertificate({ issuingCa, ...request })).rawData);
      expect(Buffer.from(await issuer.issue(request)).toString("hex"), JSON.stringify(fields)).to.equal(Buffer.from(reference).toString("hex"));
    }
  });

  it("issues the same certificate for the AK's DER SubjectPublicKeyInfo as for its key, and refuses other algorithms", async () => {
    for (const kind of ["ecc", "rsa"] as const) {
      const akPublicKey = keys[kind]();
      const request = { tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, serialNumber: "4a01" };
      const fromKey = await issuer.issue({ akPublicKey, ...request });
      const fromSpki = await issuer.issue({ akPublicKey: akPublicKey.export({ type: "spki", format: "der" }), ...request });
      expect(parseAikCertificate(fromSpki).publicKey.export({ type: "spki", format: "der" }).equals(akPublicKey.export({ type: "spki", format: "der" }))).to.equal(true);
      if (kind === "rsa") expect(Buffer.from(fromSpki).toString("hex")).to.equal(Buffer.from(fromKey).toString("hex"));
    }
    const ed25519 = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "der" });
    for (const akPublicKey of [ed25519, Buffer.from("3003020100", "hex")]) {
      let caught: unknown;
      try {
        await issuer.issue({ akPublicKey, tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
      } catch (error) {
        caught = error;
      }
      expect((caught as PkiError).code).to.equal("AIK_REQUEST_INVALID");
    }
  });

  it("issues certificates that verify under the CA, certify the AK and keep Microsoft's profile", async () => {
    const akPublicKey = keys.ecc();
    const der = await issuer.issue({ akPublicKey, tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER });
    const certificate = new x509.X509Certificate(der);
    expect(await certificate.verify({ publicKey: issuingCa.certificate.publicKey, signatureOnly: true })).to.equal(true);
    const parsed = parseAikCertificate(der);
    expect(parsed.violations).to.deep.equal([]);
    expect(parsed.tpm).to.deep.equal(TPM);
    expect(Buffer.from(certificate.publicKey.rawData).equals(akPublicKey.export({ type: "spki", format: "der" }))).to.equal(true);
    expect(parsed.notBefore.toISOString()).to.equal(NOT_BEFORE.toISOString());
    expect(parsed.notAfter.toISOString()).to.equal(NOT_AFTER.toISOString());
    const other = parseAikCertificate(await issuer.issue({ akPublicKey, tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER }));
    expect(other.serialNumber).to.not.equal(parsed.serialNumber);
  });

  it("refuses what issueAikCertificate refuses (AIK_REQUEST_INVALID)", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const bad = [
      { akPublicKey: privateKey, tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
      { akPublicKey: keys.ecc(), tpm: TPM, notBefore: NOT_AFTER, notAfter: NOT_BEFORE },
      { akPublicKey: keys.ecc(), tpm: TPM, notBefore: NOT_BEFORE, notAfter: NOT_AFTER, serialNumber: "00" },
      { akPublicKey: keys.ecc(), tpm: { ...TPM, model: "" }, notBefore: NOT_BEFORE, notAfter: NOT_AFTER },
    ];
    for (const request of bad) {
      let caught: unknown;
      try {
        await issuer.issue(request);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(PkiError);
      expect((caught as PkiError).code).to.equal("AIK_REQUEST_INVALID");
    }
  });
});
