import { expect } from "chai";
import { SignatureVerifier } from "../../attestation-service/signature-verifier.js";
import { x509 } from "../../certs/index.js";
import { ekKeyPair, makeCa, makeCrl, makeEkCertificate } from "./support/test-pki.js";

/** A copy of `certificate` whose signature's last octet is flipped (same TBS, same issuer). */
function withBrokenSignature(certificate: x509.X509Certificate): x509.X509Certificate {
  const der = Buffer.from(certificate.rawData);
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  return new x509.X509Certificate(der);
}

describe("attestation-service/signature-verifier", () => {
  it("verifies certificates under their issuer's key and refuses another key or a damaged signature", async () => {
    const root = await makeCa("Verifier Root");
    const issuing = await makeCa("Verifier Issuing", root);
    const stranger = await makeCa("Stranger Root");
    const ek = await makeEkCertificate(issuing, (await ekKeyPair()).publicKey);
    const verifier = new SignatureVerifier();
    expect(await verifier.certificate(issuing.certificate, root.certificate)).to.equal(true);
    expect(await verifier.certificate(ek, issuing.certificate)).to.equal(true);
    expect(await verifier.certificate(ek, stranger.certificate)).to.equal(false);
    expect(await verifier.certificate(issuing.certificate, stranger.certificate)).to.equal(false);
    expect(await verifier.certificate(withBrokenSignature(ek), issuing.certificate)).to.equal(false);
    expect(await verifier.certificate(withBrokenSignature(issuing.certificate), root.certificate)).to.equal(false);
  });

  it("remembers only successes: a CA refused once is checked again, and a verified one stays verified", async () => {
    const root = await makeCa("Memory Root");
    const issuing = await makeCa("Memory Issuing", root);
    const verifier = new SignatureVerifier();
    expect(await verifier.certificate(issuing.certificate, issuing.certificate)).to.equal(false);
    expect(await verifier.certificate(issuing.certificate, root.certificate)).to.equal(true);
    expect(await verifier.certificate(issuing.certificate, root.certificate)).to.equal(true);
    expect(await verifier.certificate(issuing.certificate, issuing.certificate)).to.equal(false);
  });

  it("verifies a CRL under its issuer only", async () => {
    const root = await makeCa("CRL Root");
    const stranger = await makeCa("CRL Stranger");
    const crl = await makeCrl(root, ["0a0b0c"]);
    const forged = await makeCrl(root, [], stranger);
    const verifier = new SignatureVerifier();
    expect(await verifier.crl(crl, root.certificate)).to.equal(true);
    expect(await verifier.crl(crl, root.certificate)).to.equal(true);
    expect(await verifier.crl(crl, stranger.certificate)).to.equal(false);
    expect(await verifier.crl(forged, root.certificate)).to.equal(false);
  });
});
