import { PkiError } from "./errors.js";
import type { VendorCa } from "./vendor-pki.js";
import { x509 } from "./x509.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long the expired copy was valid: the ten years before it lapsed. */
const EXPIRED_COPY_LIFETIME_MS = 3650 * DAY_MS;

/**
 * Re-issues a CA certificate as expired at `at` (the vendor endpoints' `expired-ca` fault): same subject,
 * key and extensions (so AKI/SKI, AIA and CRL URLs still chain), a new serial, notAfter one day before `at`.
 * Signed by the CA's issuer (`ca.issuer`, or `issuer` when given); a root re-signs itself.
 */
export async function issueExpiredCopy(ca: VendorCa, at: Date, issuer: VendorCa | undefined = ca.issuer): Promise<x509.X509Certificate> {
  if (Number.isNaN(at.getTime())) throw new PkiError("CA_REQUEST_INVALID", "expired copy needs a valid date");
  const signer = issuer ?? ca;
  if (signer === ca && ca.role !== "root") {
    throw new PkiError("CA_REQUEST_INVALID", `${ca.name} is not a root and its issuer was not given`);
  }
  const notAfter = new Date(at.getTime() - DAY_MS);
  return x509.X509CertificateGenerator.create({
    subject: ca.certificate.subjectName,
    issuer: signer.certificate.subjectName,
    publicKey: ca.certificate.publicKey,
    signingKey: signer.privateKey,
    notBefore: new Date(notAfter.getTime() - EXPIRED_COPY_LIFETIME_MS),
    notAfter,
    extensions: ca.certificate.extensions,
  });
}
