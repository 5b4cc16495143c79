/**
 * Who is on the other end of a management request: the enrollment whose client certificate the device presented
 * over mutual TLS (MS-MDM §2.1: the session is authenticated by the certificate MS-MDE2 enrollment issued). The
 * certificate must be issued by the MDM device CA, be within its validity on the service clock, and be the one an
 * enrollment still records; a removed enrollment stands for a revoked certificate.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { Clock } from "../../../lib/index.js";
import { ProtocolError } from "../../../protocol/index.js";
import type { EnrollmentRecord, EnrollmentRegistry } from "../enrollment/index.js";

/** What a presented certificate is checked against. */
export interface EnrollmentCertificateCheck {
  /** The MDM device CA. */
  readonly mdmCa: X509Certificate;
  readonly registry: EnrollmentRegistry;
  readonly clock: Clock;
}

function refused(detail: string): ProtocolError {
  return new ProtocolError("MDM_CLIENT_CERTIFICATE_REFUSED", detail);
}

/** The DER of the certificate the peer of `socket` presented, or undefined when it presented none. */
export function peerCertificateDer(socket: unknown): Buffer | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== "function") return undefined;
  const peer = tls.getPeerCertificate(false) as { raw?: Buffer } | null;
  return peer?.raw === undefined || peer.raw.length === 0 ? undefined : peer.raw;
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  for (const line of certificate.subject.split("\n")) {
    if (line.startsWith("CN=")) return line.slice(3);
  }
  return undefined;
}

/** The upper-case hex SHA-1 thumbprint, as the enrollment registry keeps it. */
function thumbprintOf(certificate: X509Certificate): string {
  return certificate.fingerprint.replaceAll(":", "").toUpperCase();
}

/**
 * The enrollment of a presented client certificate.
 * @throws ProtocolError MDM_CLIENT_CERTIFICATE_REFUSED when there is none, it is not the MDM CA's, out of its
 *   validity, or no enrollment records it.
 */
export async function authenticateClientCertificate(der: Buffer | undefined, check: EnrollmentCertificateCheck): Promise<EnrollmentRecord> {
  if (der === undefined) throw refused("no client certificate was presented");
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    throw refused("the client certificate is not readable");
  }
  const ca = check.mdmCa;
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) throw refused("the client certificate is not issued by the MDM device CA");
  const now = check.clock.now();
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) throw refused("the client certificate is outside its validity");
  const enrollmentId = commonNameOf(certificate);
  const enrollment = enrollmentId === undefined ? undefined : await check.registry.findByEnrollmentId(enrollmentId);
  if (enrollment === undefined || enrollment.certificateThumbprint.toUpperCase() !== thumbprintOf(certificate)) {
    throw refused("no enrollment holds this client certificate (unenrolled or replaced)");
  }
  return enrollment;
}
