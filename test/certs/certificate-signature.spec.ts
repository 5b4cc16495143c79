import { expect } from "chai";
import { KeyObject, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PkiError, createTbsSigner, loadVendorPki, signTbsCertificate, verifyCertificateSignature, type VendorPki } from "../../certs/index.js";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";

describe("certs/certificate-signature", function () {
  this.timeout(60_000);
  let home: string;
  let pki: VendorPki;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-signature-"));
    pki = await loadVendorPki(home, "IFX");
  });

  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("verifies RSA and ECDSA signed certificates with the issuer's key in any form", async () => {
    for (const [issuing, root] of [pki.chainFor("rsa"), pki.chainFor("ecc")]) {
      const der = new Uint8Array(issuing.certificate.rawData);
      const cryptoKey = await root.certificate.publicKey.export();
      expect(await verifyCertificateSignature(der, root.certificate.publicKey), issuing.name).to.equal(true);
      expect(await verifyCertificateSignature(der, cryptoKey), issuing.name).to.equal(true);
      expect(await verifyCertificateSignature(der, KeyObject.from(cryptoKey)), issuing.name).to.equal(true);
    }
  });

  it("rejects another key, a key of the other family, and a tampered certificate", async () => {
    const [issuing, root] = pki.chainFor("rsa");
    const der = new Uint8Array(issuing.certificate.rawData);
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    expect(await verifyCertificateSignature(der, stranger)).to.equal(false);
    expect(await verifyCertificateSignature(der, pki.roots[1]!.certificate.publicKey)).to.equal(false);
    const tampered = Buffer.from(der);
    const at = tampered.indexOf(Buffer.from("Simulated Infineon"));
    tampered.writeUInt8(tampered.readUInt8(at) ^ 0x01, at);
    expect(await verifyCertificateSignature(tampered, root.certificate.publicKey)).to.equal(false);
  });

  it("throws CERT_MALFORMED for bytes that are not a certificate", async () => {
    let caught: unknown;
    try {
      await verifyCertificateSignature(Uint8Array.of(0x04, 0x01, 0x00), pki.roots[0]!.certificate.publicKey);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(PkiError);
    expect((caught as PkiError).code).to.equal("CERT_MALFORMED");
  });

  it("createTbsSigner frames TBS bytes as signTbsCertificate does, for RSA and ECDSA CA keys", async () => {
    for (const [issuing, root] of [pki.chainFor("rsa"), pki.chainFor("ecc")]) {
      const tbs = AsnConvert.parse(issuing.certificate.rawData, Certificate).tbsCertificate;
      const reference = await signTbsCertificate(tbs, root.privateKey);
      const tbsBytes = new Uint8Array(AsnConvert.serialize(tbs));
      const signed = await createTbsSigner(root.privateKey)(tbsBytes);
      expect(await verifyCertificateSignature(signed, root.certificate.publicKey), issuing.name).to.equal(true);
      if (root.privateKey.algorithm.name === "ECDSA") {
        // ECDSA signatures are randomized: everything but the signature value must match
        const unsigned = (der: Uint8Array) => {
          const certificate = AsnConvert.parse(der, Certificate);
          certificate.signatureValue = new ArrayBuffer(0);
          return Buffer.from(AsnConvert.serialize(certificate)).toString("hex");
        };
        expect(unsigned(signed), issuing.name).to.equal(unsigned(reference));
      } else {
        expect(Buffer.from(signed).toString("hex"), issuing.name).to.equal(Buffer.from(reference).toString("hex"));
      }
    }
  });
});
