/**
 * Everything the service checks about the EK: where its certificate comes from (the request, else the vendor's EK
 * certificate service for firmware TPMs), that it certifies this EK, its profile, and its chain to a vendor root
 * with dates and revocation. Each step is a named check in checks/.
 */
import {
  PkiError,
  certificateFacts,
  readEkCertificate,
  vendorByManufacturerId,
  type AnyCertificate,
  type EkCertificateFacts,
  type VendorCode,
  type x509,
} from "../certs/index.js";
import type { Clock } from "../lib/index.js";
import {
  ATTESTATION_LIMITS,
  ProtocolError,
  ekPublicKeyParts,
  type ChallengeRequest,
  type EkCertificateServiceStyle,
} from "../protocol/index.js";
import type { TPMT_PUBLIC } from "../tpm2/index.js";
import { checkChainValidity } from "./checks/certificate-validity.js";
import { buildEkChain } from "./checks/ek-chain.js";
import { checkEkCertificateProfile } from "./checks/ek-certificate-profile.js";
import { checkEkKeyMatchesCertificate } from "./checks/ek-key-match.js";
import { checkChainNotRevoked } from "./checks/revocation.js";
import type { CertificateCache } from "./certificate-cache.js";
import type { TrustAnchor } from "./trust-anchors.js";
import type { VendorResources } from "./vendor-resources.js";

/** Vendors whose firmware TPMs' EK certificates are fetched online, and the style of their service. */
export const EK_CERTIFICATE_SERVICES: Readonly<Partial<Record<VendorCode, EkCertificateServiceStyle>>> = Object.freeze({
  INTC: "intel",
  AMD: "amd",
  QCOM: "qualcomm",
});

/** What EK verification needs from the service. */
export interface EkVerificationContext {
  readonly anchors: readonly TrustAnchor[];
  readonly resources: VendorResources;
  readonly clock: Clock;
  /** Parses the CA certificates devices send (the same few intermediates again and again). */
  readonly certificates: CertificateCache;
  /** Whether `issuer`'s key signed the certificate (over its raw TBS bytes). */
  readonly verifySignature: (certificate: AnyCertificate, issuer: AnyCertificate) => Promise<boolean>;
  readonly verifyCrl: (crl: x509.X509Crl, issuer: AnyCertificate) => Promise<boolean>;
}

/** A verified EK certificate and what it says. */
export interface VerifiedEk {
  /** The EK certificate as read on the request path: its certificate and TPM facts. */
  readonly parsed: EkCertificateFacts;
  /** The EK's DER SubjectPublicKeyInfo (node:crypto's export form), checked to be the certificate's key. */
  readonly ekSpki: Buffer;
  /** `[EK certificate, …, trust anchor]`. */
  readonly chain: readonly AnyCertificate[];
  /** The CA that signed the EK certificate (names the AIK issuing CA). */
  readonly issuer: AnyCertificate;
  /** The vendor whose root anchors the chain. */
  readonly vendor: VendorCode;
}

function parseCertificate(field: string, der: Uint8Array, certificates: CertificateCache): x509.X509Certificate {
  try {
    return certificates.parse(der);
  } catch (error) {
    throw new ProtocolError("EK_CERT_MALFORMED", `${field} is not an X.509 certificate`, { cause: error });
  }
}

/** The EK certificate the device sent, else the one its vendor publishes for this EK (firmware TPMs). */
async function obtainEkCertificate(
  request: ChallengeRequest,
  ekPublic: TPMT_PUBLIC,
  resources: VendorResources,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (request.ekCertificate !== undefined) return request.ekCertificate;
  const vendor = vendorByManufacturerId(request.tpm.manufacturer);
  const style = vendor === undefined ? undefined : EK_CERTIFICATE_SERVICES[vendor.code];
  if (vendor === undefined || style === undefined) throw new ProtocolError("EK_CERT_MISSING", "no EK certificate sent, and the vendor publishes none online");
  const fetched = await resources.ekCertificate(style, vendor.host, ekPublicKeyParts(ekPublic), signal);
  if (fetched === undefined) throw new ProtocolError("EK_CERT_MISSING", `${vendor.code}'s EK certificate service has none for this EK`);
  return fetched;
}

/** The EK certificate read in one walk (no @peculiar/x509 object: one per device would dominate the service's CPU). */
function readEk(der: Uint8Array): EkCertificateFacts {
  try {
    return readEkCertificate(der);
  } catch (error) {
    if (!(error instanceof PkiError)) throw error;
    const message = error.message === "not an X.509 certificate" ? "EK certificate is not an X.509 certificate" : error.message;
    throw new ProtocolError("EK_CERT_MALFORMED", message, { cause: error });
  }
}

/**
 * Verifies the EK: its certificate certifies `ekPublic` (EK_KEY_MISMATCH), has the EK profile and the TPM's
 * manufacturer (EK_CERT_WRONG_EKU, EK_CERT_MANUFACTURER_MISMATCH), chains to a root of that manufacturer
 * (EK_CERT_UNTRUSTED, EK_CHAIN_TOO_LONG), every certificate is valid now (EK_CERT_EXPIRED, EK_CERT_NOT_YET_VALID)
 * and none is revoked (EK_CERT_REVOKED). Fetches go through the vendor endpoints (VENDOR_ENDPOINT_UNAVAILABLE).
 */
export async function verifyEk(
  request: ChallengeRequest,
  ekPublic: TPMT_PUBLIC,
  context: EkVerificationContext,
  signal: AbortSignal,
): Promise<VerifiedEk> {
  const parsed = readEk(await obtainEkCertificate(request, ekPublic, context.resources, signal));
  const ekSpki = checkEkKeyMatchesCertificate(ekPublic, parsed);
  checkEkCertificateProfile(parsed, parsed, request.tpm.manufacturer);
  const chain = await buildEkChain<AnyCertificate>(parsed, {
    anchors: context.anchors.map((anchor) => anchor.certificate),
    intermediates: request.ekIntermediates.map((der, index) => parseCertificate(`ekIntermediates[${index}]`, der, context.certificates)),
    fetchIssuer: (url) => context.resources.certificate(url, signal),
    verifySignature: context.verifySignature,
    maxDepth: ATTESTATION_LIMITS.maxIntermediates + 1,
  });
  const root = chain[chain.length - 1]!;
  const rootDer = certificateFacts(root).der;
  const anchor = context.anchors.find((candidate) => Buffer.compare(certificateFacts(candidate.certificate).der, rootDer) === 0);
  if (anchor === undefined || anchor.manufacturerId !== request.tpm.manufacturer) {
    throw new ProtocolError("EK_CERT_UNTRUSTED", "the EK certificate chains to another vendor's root");
  }
  checkChainValidity(chain, context.clock.now());
  await checkChainNotRevoked(chain, {
    fetchCrl: (url) => context.resources.crl(url, signal),
    verifyCrl: context.verifyCrl,
  });
  return { parsed, ekSpki, chain, issuer: chain[1]!, vendor: anchor.vendor };
}
