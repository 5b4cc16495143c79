/** Hand-made certificates for the EK checks: a root, an intermediate and an EK certificate, each adjustable. */
import { webcrypto } from "node:crypto";
import { TCG_OID, createTpmSubjectAltName, x509 } from "../../../certs/index.js";

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface TestCa {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, false, ["sign", "verify"]));
}

const VALID_FROM = new Date("2020-01-01T00:00:00Z");
const VALID_TO = new Date("2040-01-01T00:00:00Z");

/** A CA certificate signed by `issuer` (self-signed without one). */
export async function makeCa(name: string, issuer?: TestCa, options: { notBefore?: Date; notAfter?: Date; ca?: boolean; crlUrl?: string } = {}): Promise<TestCa> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `CN=${name}`,
    issuer: issuer?.certificate.subject ?? `CN=${name}`,
    publicKey: keys.publicKey,
    signingKey: issuer?.keys.privateKey ?? keys.privateKey,
    signingAlgorithm: EC,
    serialNumber: "0" + Math.floor(Math.random() * 1e9).toString(16),
    notBefore: options.notBefore ?? VALID_FROM,
    notAfter: options.notAfter ?? VALID_TO,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ...(options.crlUrl === undefined ? [] : [new x509.CRLDistributionPointsExtension([options.crlUrl])]),
    ],
  });
  return { certificate, keys };
}

/** An EK certificate for `ekPublicKey` (a CryptoKey) issued by `issuer`. */
export async function makeEkCertificate(
  issuer: TestCa,
  ekPublicKey: CryptoKey,
  options: { manufacturerId?: number; eku?: string; notBefore?: Date; notAfter?: Date; serial?: string; crlUrl?: string; aiaUrl?: string } = {},
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    subject: "",
    issuer: issuer.certificate.subject,
    publicKey: ekPublicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: EC,
    serialNumber: options.serial ?? "0a0b0c",
    notBefore: options.notBefore ?? VALID_FROM,
    notAfter: options.notAfter ?? VALID_TO,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([options.eku ?? TCG_OID.ekCertificate], false),
      createTpmSubjectAltName({ manufacturerId: options.manufacturerId ?? 0x49465800, model: "SLB9672", version: 0x0010000a }),
      ...(options.crlUrl === undefined ? [] : [new x509.CRLDistributionPointsExtension([options.crlUrl])]),
      ...(options.aiaUrl === undefined ? [] : [new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", options.aiaUrl) })]),
    ],
  });
}

/** A CRL of `ca` listing `serials`. */
export async function makeCrl(ca: TestCa, serials: readonly string[], signer: TestCa = ca): Promise<x509.X509Crl> {
  return x509.X509CrlGenerator.create({
    issuer: ca.certificate.subject,
    thisUpdate: VALID_FROM,
    nextUpdate: VALID_TO,
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: VALID_FROM })),
    signingKey: signer.keys.privateKey,
    signingAlgorithm: EC,
  });
}

/** A fresh P-256 key pair (an EK stand-in). */
export async function ekKeyPair(): Promise<CryptoKeyPair> {
  return keyPair();
}

/** Signature verification as the service does it. */
export async function verifySignature(certificate: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  return certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true });
}
