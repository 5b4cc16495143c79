import { expect } from "chai";
import { X509Certificate, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifyAikCertificate } from "../../../agent/attestation/aik-certificate.js";
import { CertificateCache } from "../../../agent/attestation/certificate-cache.js";
import { AttestationFailure } from "../../../agent/attestation/outcome.js";
import { issueAikCertificate, loadAikIssuingCa, loadVendorPki, type AikCa } from "../../../certs/index.js";
import { TPM_ALG, TPM_ECC_CURVE, type TPMT_PUBLIC } from "../../../tpm2/index.js";

/** The TPMT_PUBLIC fields the check reads, for an EC P-256 key made here. */
function eccPublicArea(key: KeyObject): TPMT_PUBLIC {
  const jwk = key.export({ format: "jwk" });
  return {
    type: TPM_ALG.ECC,
    parameters: { curveID: TPM_ECC_CURVE.NIST_P256 },
    unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
  } as unknown as TPMT_PUBLIC;
}

function failureCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AttestationFailure) return error.code;
    throw error;
  }
  return undefined;
}

describe("agent/attestation: the AIK certificate check", function () {
  this.timeout(60_000);
  let home: string;
  let ca: AikCa;
  let chain: Uint8Array[];
  const ak = generateKeyPairSync("ec", { namedCurve: "P-256" });
  let der: Uint8Array;

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-aik-check-"));
    const pki = await loadVendorPki(home, "IFX");
    ca = await loadAikIssuingCa(home, "IFX", pki.chainFor("ecc")[0].certificate);
    chain = ca.chain.map((certificate) => new Uint8Array(certificate.rawData));
    const now = Date.now();
    const certificate = await issueAikCertificate({
      issuingCa: ca,
      akPublicKey: ak.publicKey,
      tpm: { manufacturerId: 0x49465800, model: "SLB9672", version: 0x0010000a },
      notBefore: new Date(now),
      notAfter: new Date(now + 86_400_000),
    });
    der = new Uint8Array(certificate.rawData);
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  for (const cache of [undefined, new CertificateCache()]) {
    const how = cache === undefined ? "without a cache" : "with a cache";
    it(`accepts the certificate of the AK and returns the PEM node:crypto writes (${how})`, () => {
      const pem = verifyAikCertificate(eccPublicArea(ak.publicKey), der, chain, cache);
      expect(pem).to.equal(new X509Certificate(der).toString());
    });

    it(`refuses a certificate whose signature was altered, its chain verified before (${how})`, () => {
      verifyAikCertificate(eccPublicArea(ak.publicKey), der, chain, cache);
      const altered = Buffer.from(der);
      altered[altered.length - 5]! ^= 0x01;
      expect(failureCode(() => verifyAikCertificate(eccPublicArea(ak.publicKey), altered, chain, cache))).to.equal("AIK_CERT_INVALID");
    });

    it(`refuses a certificate of another key (${how})`, () => {
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
      expect(failureCode(() => verifyAikCertificate(eccPublicArea(other), der, chain, cache))).to.equal("AIK_CERT_INVALID");
    });

    it(`refuses a certificate whose issuer is not the chain's first (${how})`, () => {
      expect(failureCode(() => verifyAikCertificate(eccPublicArea(ak.publicKey), der, chain.slice(1), cache))).to.equal("AIK_CERT_INVALID");
    });

    it(`refuses bytes that are no certificate (${how})`, () => {
      expect(failureCode(() => verifyAikCertificate(eccPublicArea(ak.publicKey), der.subarray(0, 40), chain, cache))).to.equal("AIK_CERT_INVALID");
    });
  }
});
