/**
 * The Certificate authentication policy's check: the client certificate a device presents in the TLS handshake must
 * be a device identity certificate from this home's device registration CA, valid on the service clock. Its CN is the
 * device's directory id.
 */
import { X509Certificate } from "node:crypto";
import type { DeviceRegistrationCa } from "../../certs/index.js";
import type { Clock } from "../../lib/index.js";
import type { ClientCertificateCheck } from "./directory-authenticator.js";

/** A check of client certificates against `ca`. */
export function deviceCertificateCheck(ca: DeviceRegistrationCa, clock: Clock): ClientCertificateCheck {
  const issuer = new X509Certificate(ca.certificatePem);
  return (der) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(der);
    } catch {
      return Promise.resolve(undefined);
    }
    const now = clock.now();
    const valid =
      certificate.checkIssued(issuer) &&
      certificate.verify(issuer.publicKey) &&
      Date.parse(certificate.validFrom) <= now &&
      now <= Date.parse(certificate.validTo);
    const cn = /^CN=(.+)$/m.exec(certificate.subject)?.[1];
    return Promise.resolve(valid && cn !== undefined ? cn : undefined);
  };
}
