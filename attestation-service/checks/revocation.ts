import { x509 } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/** The first CRL distribution point URL of a certificate, when it has one. */
export function crlUrlOf(certificate: x509.X509Certificate): string | undefined {
  for (const point of certificate.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints ?? []) {
    const uri = point.distributionPoint?.fullName?.find((name) => name.uniformResourceIdentifier !== undefined);
    if (uri?.uniformResourceIdentifier !== undefined) return uri.uniformResourceIdentifier;
  }
  return undefined;
}

/** What {@link checkChainNotRevoked} needs: a CRL source, and CRL signature verification. */
export interface RevocationInputs {
  /** The CRL published at `url` (cached by the caller until its nextUpdate). */
  readonly fetchCrl: (url: string) => Promise<x509.X509Crl>;
  readonly verifyCrl: (crl: x509.X509Crl, issuer: x509.X509Certificate) => Promise<boolean>;
}

/**
 * No certificate of the chain may be revoked (RFC 5280 §6.3): for each certificate below the trust anchor that
 * names a CRL distribution point, the CRL there must be issued and signed by the certificate's issuer and must not
 * list its serial number. A certificate without a distribution point is not checked.
 * @param chain `[EK certificate, …, anchor]` as buildEkChain returns it.
 * @throws ProtocolError EK_CERT_REVOKED, VENDOR_ENDPOINT_UNAVAILABLE (CRL unreachable, or not signed by the issuer)
 */
export async function checkChainNotRevoked(chain: readonly x509.X509Certificate[], inputs: RevocationInputs): Promise<void> {
  for (let position = 0; position + 1 < chain.length; position++) {
    const certificate = chain[position]!;
    const issuer = chain[position + 1]!;
    const url = crlUrlOf(certificate);
    if (url === undefined) continue;
    const crl = await inputs.fetchCrl(url);
    if (crl.issuer !== issuer.subject || !(await inputs.verifyCrl(crl, issuer))) {
      throw new ProtocolError("VENDOR_ENDPOINT_UNAVAILABLE", `the CRL at ${url} is not signed by ${issuer.subject}`);
    }
    const serial = certificate.serialNumber.toLowerCase().replace(/^0+/, "");
    if (crl.entries.some((entry) => entry.serialNumber.toLowerCase().replace(/^0+/, "") === serial)) {
      throw new ProtocolError("EK_CERT_REVOKED", `${position === 0 ? "EK certificate" : certificate.subject} serial ${certificate.serialNumber}`);
    }
  }
}
