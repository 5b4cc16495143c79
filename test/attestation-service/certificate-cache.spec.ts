import { expect } from "chai";
import { createHash } from "node:crypto";
import { CertificateCache, certificateFingerprint, certificatePublicKey } from "../../attestation-service/certificate-cache.js";
import { x509 } from "../../certs/index.js";
import { makeCa } from "./support/test-pki.js";

describe("attestation-service/certificate-cache", () => {
  it("parses the same DER once and hands back the same certificate object", async () => {
    const { certificate } = await makeCa("Cache Test Root");
    const der = new Uint8Array(certificate.rawData);
    const cache = new CertificateCache();
    const first = cache.parse(der);
    expect(first.subject).to.equal("CN=Cache Test Root");
    expect(cache.parse(Uint8Array.from(der))).to.equal(first);
    const other = await makeCa("Another Root");
    expect(cache.parse(new Uint8Array(other.certificate.rawData))).to.not.equal(first);
  });

  it("throws for bytes that are not a certificate, and does not keep them", () => {
    const cache = new CertificateCache();
    const junk = Buffer.from("30030201ff", "hex");
    expect(() => cache.parse(junk)).to.throw();
    expect(() => cache.parse(junk)).to.throw();
  });

  it("fingerprints a certificate as the SHA-256 of its DER and imports its key as a KeyObject", async () => {
    const { certificate } = await makeCa("Fingerprint Root");
    const der = Buffer.from(certificate.rawData);
    expect(certificateFingerprint(certificate)).to.equal(createHash("sha256").update(der).digest("hex"));
    const key = certificatePublicKey(certificate);
    expect(key.asymmetricKeyType).to.equal("ec");
    expect(certificatePublicKey(certificate)).to.equal(key);
    expect(key.export({ type: "spki", format: "der" }).equals(Buffer.from(certificate.publicKey.rawData))).to.equal(true);
    expect(certificate).to.be.instanceOf(x509.X509Certificate);
  });
});
