/**
 * Where a device finds its EK certificate (reference §1.4): in NV for discrete TPMs, at the vendor's
 * endpoint for firmware TPMs; then, as Windows does, the intermediates above it by following AIA
 * caIssuers until a self-issued (root) certificate, which is left out.
 */
import { X509Certificate } from "node:crypto";
import {
  ATTESTATION_LIMITS,
  decodeIntelEkCertificateBody,
  ekCertificateUrl,
  ekPublicKeyParts,
  isVirtualHost,
  resolveVirtualUrl,
} from "../../protocol/index.js";
import type { TPMT_PUBLIC } from "../../tpm2/index.js";
import { getBytes, type Exchange } from "./http-exchange.js";
import { AttestationFailure } from "./outcome.js";
import type { FirmwareTpmVendor } from "./firmware-vendors.js";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** DER of a certificate answer, which may come as DER or PEM. */
function certificateBytes(body: Buffer): Buffer {
  const pem = PEM_CERTIFICATE.exec(body.toString("latin1"));
  return pem ? Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64") : body;
}

function parse(der: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

/**
 * Fetches the EK certificate of `ekPublic` from the vendor's endpoint (Intel: JSON, AMD and ours: DER).
 * @throws AttestationFailure NOT_FOUND (the vendor has none), VENDOR_ENDPOINT_UNAVAILABLE (no answer, 5xx),
 *   EK_CERT_MALFORMED (an answer that holds no certificate).
 */
export async function fetchVendorEkCertificate(
  vendor: FirmwareTpmVendor,
  ekPublic: TPMT_PUBLIC,
  serverUrl: string,
  exchange: Exchange,
): Promise<Buffer> {
  const url = resolveVirtualUrl(ekCertificateUrl(vendor.style, vendor.host, ekPublicKeyParts(ekPublic)), serverUrl);
  let body: Buffer;
  try {
    ({ body } = await getBytes(url, exchange));
  } catch (error) {
    if (error instanceof AttestationFailure && error.code === "NOT_FOUND") throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AttestationFailure("VENDOR_ENDPOINT_UNAVAILABLE", `${vendor.code} EK certificate service: ${reason}`, { retryable: true, cause: error });
  }
  let der: Uint8Array | undefined;
  if (vendor.style === "intel") {
    try {
      der = decodeIntelEkCertificateBody(JSON.parse(body.toString("utf8")));
    } catch {
      der = undefined;
    }
  } else {
    der = certificateBytes(body);
  }
  if (der === undefined || parse(der) === undefined) {
    throw AttestationFailure.of("EK_CERT_MALFORMED", `${vendor.code} answered no parsable certificate`);
  }
  return Buffer.from(der);
}

/** The caIssuers URLs of a certificate's AIA extension. */
export function caIssuersUrls(certificate: X509Certificate): string[] {
  return (certificate.infoAccess ?? "")
    .split("\n")
    .map((line) => /^CA Issuers - URI:(.+)$/.exec(line.trim())?.[1])
    .filter((url): url is string => url !== undefined);
}

function selfIssued(certificate: X509Certificate): boolean {
  return certificate.subject === certificate.issuer && certificate.checkIssued(certificate);
}

/**
 * The intermediates above `ekCertificate`, nearest first, collected by following AIA caIssuers on our
 * virtual hosts: at most ATTESTATION_LIMITS.maxIntermediates, stopping at a self-issued certificate (a
 * root, not sent), a certificate that did not issue the one below, or any failure — the service can
 * build the chain itself, so this is best effort.
 */
export async function collectIntermediates(ekCertificate: Uint8Array, serverUrl: string, exchange: Exchange): Promise<Buffer[]> {
  const intermediates: Buffer[] = [];
  let current = parse(ekCertificate);
  while (current !== undefined && intermediates.length < ATTESTATION_LIMITS.maxIntermediates) {
    const url = caIssuersUrls(current).find((candidate) => {
      try {
        return isVirtualHost(new URL(candidate).hostname);
      } catch {
        return false;
      }
    });
    if (url === undefined) break;
    let issuer: X509Certificate | undefined;
    try {
      issuer = parse(certificateBytes((await getBytes(resolveVirtualUrl(url, serverUrl), exchange)).body));
    } catch {
      break;
    }
    if (issuer === undefined || !current.checkIssued(issuer) || selfIssued(issuer)) break;
    intermediates.push(Buffer.from(issuer.raw));
    current = issuer;
  }
  return intermediates;
}
