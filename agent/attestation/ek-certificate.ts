/**
 * Where a device finds its EK certificate (reference §1.4): in NV for discrete TPMs, at the vendor's
 * endpoint for firmware TPMs; then, as Windows does, the intermediates above it by following AIA
 * caIssuers until a self-issued (root) certificate, which is left out.
 */
import {
  ATTESTATION_LIMITS,
  decodeIntelEkCertificateBody,
  ekCertificateUrl,
  ekPublicKeyParts,
  isVirtualHost,
  resolveVirtualUrl,
} from "../../protocol/index.js";
import type { TPMT_PUBLIC } from "../../tpm2/index.js";
import { CertificateCache } from "./certificate-cache.js";
import { isSelfIssued, mayHaveIssued, readCertificateFields, type CertificateFields } from "./certificate-fields.js";
import { getBytes, type Exchange } from "./http-exchange.js";
import { AttestationFailure } from "./outcome.js";
import type { FirmwareTpmVendor } from "./firmware-vendors.js";

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/** DER of a certificate answer, which may come as DER or PEM. */
function certificateBytes(body: Buffer): Buffer {
  const pem = PEM_CERTIFICATE.exec(body.toString("latin1"));
  return pem ? Buffer.from(pem[1]!.replace(/\s+/g, ""), "base64") : body;
}

function isCertificate(der: Uint8Array): boolean {
  try {
    readCertificateFields(der);
    return true;
  } catch {
    return false;
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
  if (der === undefined || !isCertificate(der)) {
    throw AttestationFailure.of("EK_CERT_MALFORMED", `${vendor.code} answered no parsable certificate`);
  }
  return Buffer.from(der);
}

function isOnVirtualHost(url: string): boolean {
  try {
    return isVirtualHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The CA certificate at an AIA URL, from the cache or downloaded; undefined on any failure. */
async function caCertificateAt(url: string, exchange: Exchange, cache: CertificateCache) {
  try {
    return await cache.caCertificate(url, async () => certificateBytes((await getBytes(url, exchange)).body));
  } catch {
    return undefined;
  }
}

/**
 * The intermediates above `ekCertificate`, nearest first, collected by following AIA caIssuers on our
 * virtual hosts: at most ATTESTATION_LIMITS.maxIntermediates, stopping at a self-issued certificate (a
 * root, not sent), a certificate that did not issue the one below, or any failure — the service can
 * build the chain itself, so this is best effort. CA certificates come from `cache` when it holds them;
 * one held that does not match the certificate below is downloaded again (the CA was re-issued).
 */
export async function collectIntermediates(
  ekCertificate: Uint8Array,
  serverUrl: string,
  exchange: Exchange,
  cache: CertificateCache = new CertificateCache(),
): Promise<Buffer[]> {
  const intermediates: Buffer[] = [];
  let current: CertificateFields;
  try {
    current = readCertificateFields(ekCertificate);
  } catch {
    return intermediates;
  }
  while (intermediates.length < ATTESTATION_LIMITS.maxIntermediates) {
    const aiaUrl = current.caIssuers.find(isOnVirtualHost);
    if (aiaUrl === undefined) break;
    const url = resolveVirtualUrl(aiaUrl, serverUrl);
    let found = await caCertificateAt(url, exchange, cache);
    if (found?.cached === true && !mayHaveIssued(found.certificate.fields, current)) {
      cache.forget(url);
      found = await caCertificateAt(url, exchange, cache);
    }
    const issuer = found?.certificate;
    if (issuer === undefined || !mayHaveIssued(issuer.fields, current) || isSelfIssued(issuer.fields)) break;
    intermediates.push(issuer.der);
    current = issuer.fields;
  }
  return intermediates;
}
