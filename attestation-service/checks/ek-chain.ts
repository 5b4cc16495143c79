import { PkiError, certificateFacts, isCaCertificate, x509, type AnyCertificate, type CertificateFacts } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/** What {@link buildEkChain} needs besides the EK certificate. */
export interface EkChainInputs<C extends AnyCertificate> {
  /** Trust anchors: every simulated vendor's root CAs. */
  readonly anchors: readonly C[];
  /** Intermediates the device sent (Windows collects them by walking AIA). */
  readonly intermediates: readonly C[];
  /** Fetches the certificate at an AIA caIssuers URL (undefined when there is none to fetch). */
  readonly fetchIssuer: (url: string) => Promise<C | undefined>;
  /** Whether `issuer`'s key signed `certificate` (over its raw TBS bytes: EK certificates may be non-DER). */
  readonly verifySignature: (certificate: C, issuer: C) => Promise<boolean>;
  /** Most CA certificates above the EK certificate, trust anchor included. */
  readonly maxDepth: number;
}

function derOf(certificate: AnyCertificate): Uint8Array {
  return certificate instanceof x509.X509Certificate ? new Uint8Array(certificate.rawData) : certificate.der;
}

function sameCertificate(a: AnyCertificate, b: AnyCertificate): boolean {
  return a === b || Buffer.compare(derOf(a), derOf(b)) === 0;
}

/** A candidate's facts; undefined when they cannot be read (such a certificate issues nothing). */
function candidateFacts(candidate: AnyCertificate): CertificateFacts | undefined {
  try {
    return certificateFacts(candidate);
  } catch (error) {
    if (error instanceof PkiError) return undefined;
    throw error;
  }
}

async function findIssuer<C extends AnyCertificate>(
  certificate: C,
  candidates: readonly C[],
  verifySignature: EkChainInputs<C>["verifySignature"],
): Promise<C | undefined> {
  const issuerName = certificateFacts(certificate).issuer;
  for (const candidate of candidates) {
    const facts = candidateFacts(candidate);
    if (facts === undefined || facts.subject !== issuerName || !isCaCertificate(facts)) continue;
    if (await verifySignature(certificate, candidate)) return candidate;
  }
  return undefined;
}

/**
 * Builds and verifies the EK certificate's chain up to a trust anchor (RFC 5280 §6.1 path validation, signatures
 * and CA constraints (§6.1.4 (k), (n)); dates and revocation are separate checks): at each step the issuer is a trust
 * anchor, else an intermediate the device sent, else the certificate at the AIA caIssuers URL. Certificates may be
 * @peculiar/x509 objects or read by readCertificate. Returns `[EK certificate, …, anchor]`.
 * @throws ProtocolError EK_CERT_UNTRUSTED (no path), EK_CHAIN_TOO_LONG (more than maxDepth CAs), and whatever
 *   `fetchIssuer` throws (VENDOR_ENDPOINT_UNAVAILABLE)
 */
export async function buildEkChain<C extends AnyCertificate>(ek: C, inputs: EkChainInputs<C>): Promise<C[]> {
  const chain = [ek];
  let current = ek;
  for (let depth = 0; depth < inputs.maxDepth; depth++) {
    const anchor = await findIssuer(current, inputs.anchors, inputs.verifySignature);
    if (anchor !== undefined) {
      if (!sameCertificate(anchor, current)) chain.push(anchor);
      return chain;
    }
    const unused = inputs.intermediates.filter((candidate) => !chain.some((link) => sameCertificate(link, candidate)));
    let issuer = await findIssuer(current, unused, inputs.verifySignature);
    if (issuer === undefined) {
      const url = certificateFacts(current).aiaUrl;
      const fetched = url === undefined ? undefined : await inputs.fetchIssuer(url);
      if (fetched !== undefined && !chain.some((link) => sameCertificate(link, fetched))) {
        issuer = await findIssuer(current, [fetched], inputs.verifySignature);
      }
    }
    if (issuer === undefined) {
      throw new ProtocolError("EK_CERT_UNTRUSTED", `no trusted issuer for ${depth === 0 ? "the EK certificate" : certificateFacts(current).subject}`);
    }
    chain.push(issuer);
    current = issuer;
  }
  throw new ProtocolError("EK_CHAIN_TOO_LONG", `more than ${inputs.maxDepth} CA certificates above the EK certificate`);
}
