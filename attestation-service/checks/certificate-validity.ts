import type { x509 } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/**
 * Every certificate of the EK chain, trust anchor included, must be within its validity at the service clock's
 * `now` (RFC 5280 §6.1.3 (a)(2)).
 * @throws ProtocolError EK_CERT_NOT_YET_VALID, EK_CERT_EXPIRED
 */
export function checkChainValidity(chain: readonly x509.X509Certificate[], now: number): void {
  chain.forEach((certificate, position) => {
    const what = position === 0 ? "EK certificate" : certificate.subject;
    if (now < certificate.notBefore.getTime()) {
      throw new ProtocolError("EK_CERT_NOT_YET_VALID", `${what} is valid from ${certificate.notBefore.toISOString()}`);
    }
    if (now > certificate.notAfter.getTime()) {
      throw new ProtocolError("EK_CERT_EXPIRED", `${what} expired ${certificate.notAfter.toISOString()}`);
    }
  });
}
