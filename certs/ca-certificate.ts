import { x509 } from "./x509.js";

/** What {@link issueCaCertificate} needs; an absent `issuer` makes the certificate self-signed. */
export interface CaCertificateRequest {
  readonly subject: x509.Name;
  readonly publicKey: CryptoKey;
  /** The issuer's private key (the subject's own for a self-signed root). */
  readonly signingKey: CryptoKey;
  readonly issuer?: x509.X509Certificate;
  /** basicConstraints pathLenConstraint; absent = unlimited. */
  readonly pathLength?: number;
  /** AIA caIssuers: where the issuer's certificate is published. */
  readonly aiaUrl?: string;
  /** CRL distribution point: where the issuer publishes the CRL covering this certificate. */
  readonly crlUrl?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Hex key identifier of a certificate's own key: its SKI, else computed from its public key. */
export async function keyIdentifierOf(certificate: x509.X509Certificate): Promise<string> {
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski !== null) return ski.keyId;
  return (await x509.SubjectKeyIdentifierExtension.create(certificate.publicKey)).keyId;
}

/**
 * Issues a CA certificate (RFC 5280 §4.2.1): basicConstraints CA critical, keyUsage keyCertSign|cRLSign
 * critical, SKI, AKI (= the issuer's SKI, or its own when self-signed), and AIA caIssuers / CRL
 * distribution point when URLs are given. Signed with SHA-256 by the signing key's algorithm.
 */
export async function issueCaCertificate(request: CaCertificateRequest): Promise<x509.X509Certificate> {
  const ski = await x509.SubjectKeyIdentifierExtension.create(request.publicKey);
  const authorityKeyId = request.issuer === undefined ? ski.keyId : await keyIdentifierOf(request.issuer);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(true, request.pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ski,
    new x509.AuthorityKeyIdentifierExtension(authorityKeyId),
  ];
  if (request.aiaUrl !== undefined) {
    extensions.push(new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", request.aiaUrl) }));
  }
  if (request.crlUrl !== undefined) extensions.push(new x509.CRLDistributionPointsExtension([request.crlUrl]));
  return x509.X509CertificateGenerator.create({
    subject: request.subject,
    issuer: request.issuer?.subjectName ?? request.subject,
    publicKey: request.publicKey,
    signingKey: request.signingKey,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    extensions,
  });
}
