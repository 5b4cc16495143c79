import { x509 } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/** What {@link buildEkChain} needs besides the EK certificate. */
export interface EkChainInputs {
  /** Trust anchors: every simulated vendor's root CAs. */
  readonly anchors: readonly x509.X509Certificate[];
  /** Intermediates the device sent (Windows collects them by walking AIA). */
  readonly intermediates: readonly x509.X509Certificate[];
  /** Fetches the certificate at an AIA caIssuers URL (undefined when there is none to fetch). */
  readonly fetchIssuer: (url: string) => Promise<x509.X509Certificate | undefined>;
  /** Whether `issuer`'s key signed `certificate` (over its raw TBS bytes: EK certificates may be non-DER). */
  readonly verifySignature: (certificate: x509.X509Certificate, issuer: x509.X509Certificate) => Promise<boolean>;
  /** Most CA certificates above the EK certificate, trust anchor included. */
  readonly maxDepth: number;
}

function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function aiaUrlOf(certificate: x509.X509Certificate): string | undefined {
  return certificate.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers.find((name) => name.type === "url")?.value;
}

/** RFC 5280 §6.1.4 (k), (n): a certificate that signs others must be a CA and, when it states key usages, keyCertSign. */
function isCa(certificate: x509.X509Certificate): boolean {
  if (certificate.getExtension(x509.BasicConstraintsExtension)?.ca !== true) return false;
  const usage = certificate.getExtension(x509.KeyUsagesExtension);
  return usage === null || (usage.usages & x509.KeyUsageFlags.keyCertSign) !== 0;
}

async function findIssuer(
  certificate: x509.X509Certificate,
  candidates: readonly x509.X509Certificate[],
  verifySignature: EkChainInputs["verifySignature"],
): Promise<x509.X509Certificate | undefined> {
  for (const candidate of candidates) {
    if (candidate.subject !== certificate.issuer || !isCa(candidate)) continue;
    if (await verifySignature(certificate, candidate)) return candidate;
  }
  return undefined;
}

/**
 * Builds and verifies the EK certificate's chain up to a trust anchor (RFC 5280 §6.1 path validation, signatures
 * and CA constraints; dates and revocation are separate checks): at each step the issuer is a trust anchor, else an
 * intermediate the device sent, else the certificate at the AIA caIssuers URL. Returns `[EK certificate, …, anchor]`.
 * @throws ProtocolError EK_CERT_UNTRUSTED (no path), EK_CHAIN_TOO_LONG (more than maxDepth CAs), and whatever
 *   `fetchIssuer` throws (VENDOR_ENDPOINT_UNAVAILABLE)
 */
export async function buildEkChain(ek: x509.X509Certificate, inputs: EkChainInputs): Promise<x509.X509Certificate[]> {
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
      const url = aiaUrlOf(current);
      const fetched = url === undefined ? undefined : await inputs.fetchIssuer(url);
      if (fetched !== undefined && !chain.some((link) => sameCertificate(link, fetched))) {
        issuer = await findIssuer(current, [fetched], inputs.verifySignature);
      }
    }
    if (issuer === undefined) {
      throw new ProtocolError("EK_CERT_UNTRUSTED", `no trusted issuer for ${depth === 0 ? "the EK certificate" : current.subject}`);
    }
    chain.push(issuer);
    current = issuer;
  }
  throw new ProtocolError("EK_CHAIN_TOO_LONG", `more than ${inputs.maxDepth} CA certificates above the EK certificate`);
}
