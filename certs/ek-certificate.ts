import { createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  Extension,
  Extensions,
  Name,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_subjectAltName,
  id_ce_subjectDirectoryAttributes,
} from "@peculiar/asn1-x509";
import { keyIdentifierOf } from "./ca-certificate.js";
import { signTbsCertificate } from "./certificate-signature.js";
import { applyEkExtensionQuirks } from "./ek-quirks.js";
import { PkiError } from "./errors.js";
import type { KeyKind } from "./signing-key.js";
import {
  TCG_OID,
  createTpmSpecificationExtension,
  createTpmSubjectAltName,
  parseTpmSpecificationExtension,
  parseTpmSubjectAltName,
  type TpmSpecification,
} from "./tcg-extensions.js";
import type { VendorPki } from "./vendor-pki.js";
import type { EkCertificateQuirks } from "./vendors.js";
import { x509 } from "./x509.js";

/** The EK and TPM facts an EK certificate states. */
export interface EkCertificateRequest {
  readonly ekPublicKey: KeyObject;
  readonly kind: KeyKind;
  /** tcg-at-tpmModel, e.g. "SLB9670". */
  readonly model: string;
  /** Firmware version as tcg-at-tpmVersion, printed `id:XXXXXXXX`. */
  readonly version: number;
  readonly specification: TpmSpecification;
  /** Positive serial of at most 20 octets (RFC 5280 §4.1.2.2); default 16 random bytes. */
  readonly serialNumber?: Uint8Array;
  readonly notBefore: Date;
  /** Default {@link EK_CERT_NO_EXPIRY}. */
  readonly notAfter?: Date;
  /** tcg-at-tpmManufacturer when it should differ from the issuing vendor's (a fault for testers). */
  readonly manufacturerId?: number;
  /** Encoding quirks, each overriding the vendor's default (`VendorPkiIdentity.ekQuirks`). */
  readonly quirks?: EkCertificateQuirks;
}

/** RFC 5280 §4.1.2.5: 99991231235959Z (GeneralizedTime) means the certificate has no well-defined expiry. */
export const EK_CERT_NO_EXPIRY = new Date("9999-12-31T23:59:59Z");

/** What {@link parseEkCertificate} reads from an EK certificate. */
export interface ParsedEkCertificate {
  readonly manufacturerId: number;
  readonly model: string;
  readonly version: number;
  /** tcg-at-tpmSpecification, when the certificate carries it. */
  readonly specification: TpmSpecification | undefined;
  readonly kind: KeyKind;
  readonly publicKey: KeyObject;
  /** Issuer distinguished name (RFC 4514 string). */
  readonly issuer: string;
  /** Hex AuthorityKeyIdentifier keyIdentifier (Windows names AIK CAs after it), when present. */
  readonly authorityKeyId: string | undefined;
  /** AIA caIssuers URL of the issuing CA certificate, when present. */
  readonly aiaUrl: string | undefined;
  /** CRL distribution point URL, when present. */
  readonly crlUrl: string | undefined;
  /** Hex serial number. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const MAX_SERIAL_OCTETS = 20;

function invalid(message: string): PkiError {
  return new PkiError("EK_REQUEST_INVALID", message);
}

function keyKindOf(key: KeyObject): KeyKind | undefined {
  if (key.asymmetricKeyType === "rsa") return "rsa";
  if (key.asymmetricKeyType === "ec") return "ecc";
  return undefined;
}

const RANDOM_SERIAL_OCTETS = 16;

/** The INTEGER content octets of a positive serial (RFC 5280 §4.1.2.2): minimal, with a 00 before a high bit. */
function serialOctets(serial: Uint8Array | undefined): Uint8Array<ArrayBuffer> {
  if (serial === undefined) {
    const random = randomBytes(RANDOM_SERIAL_OCTETS);
    random[0] = ((random[0] ?? 0) & 0x7f) | 0x40;
    return new Uint8Array(random);
  }
  const start = serial.findIndex((octet) => octet !== 0);
  if (start < 0) throw invalid("serialNumber must be positive");
  const significant = serial.subarray(start);
  const octets = (significant[0] ?? 0) > 0x7f ? Uint8Array.of(0, ...significant) : Uint8Array.from(significant);
  if (octets.length > MAX_SERIAL_OCTETS) throw invalid(`serialNumber exceeds ${MAX_SERIAL_OCTETS} octets`);
  return octets;
}

function checkRequest(request: EkCertificateRequest): Date {
  if (request.ekPublicKey.type !== "public") throw invalid("ekPublicKey must be a public key");
  if (keyKindOf(request.ekPublicKey) !== request.kind) throw invalid(`ekPublicKey is not a ${request.kind} key`);
  if (request.specification.family !== "2.0") throw invalid("specification family must be 2.0");
  const notAfter = request.notAfter ?? EK_CERT_NO_EXPIRY;
  if (Number.isNaN(request.notBefore.getTime()) || !(notAfter > request.notBefore)) {
    throw invalid("notAfter must be a date after notBefore");
  }
  return notAfter;
}

function ekExtensions(
  request: EkCertificateRequest,
  pki: VendorPki,
  authorityKeyId: string,
  quirks: EkCertificateQuirks,
): x509.Extension[] {
  const issuing = pki.issuerFor(request.kind);
  const usage = request.kind === "rsa" ? x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.keyAgreement;
  const tpm = { manufacturerId: request.manufacturerId ?? pki.identity.manufacturerId, model: request.model, version: request.version };
  try {
    return [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([TCG_OID.ekCertificate], false),
      createTpmSpecificationExtension(request.specification),
      createTpmSubjectAltName(tpm, quirks.singleRdnSan === true ? "single-rdn" : "rdn-per-attribute"),
      new x509.AuthorityKeyIdentifierExtension(authorityKeyId),
      new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", issuing.aiaUrl) }),
      new x509.CRLDistributionPointsExtension([issuing.crlUrl]),
    ];
  } catch (error) {
    if (error instanceof RangeError) throw invalid(error.message);
    throw error;
  }
}

/**
 * Issues an EK certificate per the TCG EK Credential Profile (§3): empty subject, critical SAN
 * directoryName with tpmManufacturer/tpmModel/tpmVersion as UTF8String, EKU tcg-kp-EKCertificate,
 * keyUsage keyEncipherment (RSA EK) or keyAgreement (ECC EK) critical, basicConstraints CA:FALSE
 * critical, tcg-at-tpmSpecification, AKI, and the issuing CA's AIA and CRL URLs. Signed by the
 * vendor's issuing CA for this EK kind, over exactly the TBSCertificate bytes emitted, so the vendor's
 * quirks (or the request's) may make it deliberately non-DER. Returns the DER bytes.
 */
export async function issueEkCertificate(
  pki: VendorPki,
  request: EkCertificateRequest,
): Promise<Uint8Array<ArrayBuffer>> {
  const notAfter = checkRequest(request);
  const serialNumber = serialOctets(request.serialNumber);
  const quirks: EkCertificateQuirks = { ...pki.identity.ekQuirks, ...request.quirks };
  const issuing = pki.issuerFor(request.kind);
  const extensions = ekExtensions(request, pki, await keyIdentifierOf(issuing.certificate), quirks).map((extension) =>
    AsnConvert.parse(extension.rawData, Extension),
  );
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber.buffer,
    issuer: AsnConvert.parse(issuing.certificate.subjectName.toArrayBuffer(), Name),
    validity: new Validity({ notBefore: request.notBefore, notAfter }),
    subject: new Name(),
    subjectPublicKeyInfo: AsnConvert.parse(
      request.ekPublicKey.export({ type: "spki", format: "der" }),
      SubjectPublicKeyInfo,
    ),
    // ExplicitCriticalExtension serializes by its own schema inside the Extensions SEQUENCE.
    extensions: new Extensions(applyEkExtensionQuirks(extensions, quirks)),
  });
  return signTbsCertificate(tbs, issuing.privateKey);
}

function malformed(message: string, cause?: unknown): PkiError {
  return new PkiError("EK_CERT_MALFORMED", message, cause === undefined ? undefined : { cause });
}

function firstUri(names: readonly x509.GeneralName[] | undefined): string | undefined {
  return names?.find((name) => name.type === "url")?.value;
}

function crlUrlOf(certificate: x509.X509Certificate): string | undefined {
  const points = certificate.getExtension(x509.CRLDistributionPointsExtension)?.distributionPoints ?? [];
  for (const point of points) {
    const uri = point.distributionPoint?.fullName?.find((name) => name.uniformResourceIdentifier !== undefined);
    if (uri?.uniformResourceIdentifier !== undefined) return uri.uniformResourceIdentifier;
  }
  return undefined;
}

/**
 * Reads the TPM facts and the EK public key from an EK certificate (DER, or already parsed). Throws PkiError
 * EK_CERT_MALFORMED when it is not a certificate, has no TPM SAN, or holds neither an RSA nor an EC key.
 * Does not verify the signature or the chain.
 */
export function parseEkCertificate(der: Uint8Array | x509.X509Certificate): ParsedEkCertificate {
  let certificate: x509.X509Certificate;
  try {
    certificate = der instanceof x509.X509Certificate ? der : new x509.X509Certificate(Uint8Array.from(der));
  } catch (error) {
    throw malformed("not an X.509 certificate", error);
  }
  const san = certificate.getExtension(id_ce_subjectAltName);
  const tpm = san === null ? undefined : parseTpmSubjectAltName(san.value);
  if (tpm === undefined) throw malformed("no TPM manufacturer, model and version in subjectAltName");
  const directoryAttributes = certificate.getExtension(id_ce_subjectDirectoryAttributes);
  const publicKey = createPublicKey({
    key: Buffer.from(certificate.publicKey.rawData),
    format: "der",
    type: "spki",
  });
  const kind = keyKindOf(publicKey);
  if (kind === undefined) throw malformed(`unsupported EK key type ${publicKey.asymmetricKeyType ?? "?"}`);
  return {
    ...tpm,
    specification: directoryAttributes === null ? undefined : parseTpmSpecificationExtension(directoryAttributes.value),
    kind,
    publicKey,
    issuer: certificate.issuer,
    authorityKeyId: certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
    aiaUrl: firstUri(certificate.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers),
    crlUrl: crlUrlOf(certificate),
    serialNumber: certificate.serialNumber,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}
