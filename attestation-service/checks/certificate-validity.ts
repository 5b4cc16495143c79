import { certificateFacts, type AnyCertificate } from "../../certs/index.js";
import { ProtocolError } from "../../protocol/index.js";

/**
 * Every certificate of the EK chain, trust anchor included, must be within its validity at the service clock's
 * `now` (RFC 5280 §6.1.3 (a)(2)).
 * @throws ProtocolError EK_CERT_NOT_YET_VALID, EK_CERT_EXPIRED
 */
export function checkChainValidity(chain: readonly AnyCertificate[], now: number): void {
  chain.forEach((certificate, position) => {
    const { notBefore, notAfter, subject } = certificateFacts(certificate);
    const what = position === 0 ? "EK certificate" : subject;
    if (now < notBefore.getTime()) {
      throw new ProtocolError("EK_CERT_NOT_YET_VALID", `${what} is valid from ${notBefore.toISOString()}`);
    }
    if (now > notAfter.getTime()) {
      throw new ProtocolError("EK_CERT_EXPIRED", `${what} expired ${notAfter.toISOString()}`);
    }
  });
}
