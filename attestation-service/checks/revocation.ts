import { certificateFacts, type AnyCertificate, type x509 } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/** The first CRL distribution point URL of a certificate, when it has one. */
export function crlUrlOf(certificate: AnyCertificate): string | undefined {
  return certificateFacts(certificate).crlUrl;
}

/** What {@link checkChainNotRevoked} needs: a CRL source, and CRL signature verification. */
export interface RevocationInputs<C extends AnyCertificate> {
  /** The CRL published at `url` (cached by the caller until its nextUpdate). */
  readonly fetchCrl: (url: string) => Promise<x509.X509Crl>;
  readonly verifyCrl: (crl: x509.X509Crl, issuer: C) => Promise<boolean>;
}

const normalSerial = (serial: string): string => serial.toLowerCase().replace(/^0+/, "");

/** What a CRL says, read once per CRL object (the caller keeps one until its nextUpdate): @peculiar/x509 rebuilds its issuer name on every read. */
interface CrlFacts {
  readonly issuer: string;
  readonly revokedSerials: ReadonlySet<string>;
}

const crlFacts = new WeakMap<x509.X509Crl, CrlFacts>();

function factsOf(crl: x509.X509Crl): CrlFacts {
  let facts = crlFacts.get(crl);
  if (facts === undefined) {
    facts = { issuer: crl.issuer, revokedSerials: new Set(crl.entries.map((entry) => normalSerial(entry.serialNumber))) };
    crlFacts.set(crl, facts);
  }
  return facts;
}

/**
 * No certificate of the chain may be revoked (RFC 5280 §6.3): for each certificate below the trust anchor that
 * names a CRL distribution point, the CRL there must be issued and signed by the certificate's issuer and must not
 * list its serial number. A certificate without a distribution point is not checked.
 * @param chain `[EK certificate, …, anchor]` as buildEkChain returns it.
 * @throws ProtocolError EK_CERT_REVOKED, VENDOR_ENDPOINT_UNAVAILABLE (CRL unreachable, or not signed by the issuer)
 */
export async function checkChainNotRevoked<C extends AnyCertificate>(chain: readonly C[], inputs: RevocationInputs<C>): Promise<void> {
  for (let position = 0; position + 1 < chain.length; position++) {
    const certificate = certificateFacts(chain[position]!);
    const issuer = chain[position + 1]!;
    const url = certificate.crlUrl;
    if (url === undefined) continue;
    const crl = await inputs.fetchCrl(url);
    const facts = factsOf(crl);
    const issuerName = certificateFacts(issuer).subject;
    if (facts.issuer !== issuerName || !(await inputs.verifyCrl(crl, issuer))) {
      throw new ProtocolError("VENDOR_ENDPOINT_UNAVAILABLE", `the CRL at ${url} is not signed by ${issuerName}`);
    }
    if (facts.revokedSerials.has(normalSerial(certificate.serialNumber))) {
      throw new ProtocolError("EK_CERT_REVOKED", `${position === 0 ? "EK certificate" : certificate.subject} serial ${certificate.serialNumber}`);
    }
  }
}
