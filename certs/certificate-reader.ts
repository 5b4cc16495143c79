/**
 * A fast reader of X.509 certificates (RFC 5280 §4.1) for the attestation service's request path: one walk of the
 * DER gives the fields path validation uses and the few extensions it checks (basicConstraints, keyUsage,
 * extendedKeyUsage, authorityKeyIdentifier, authorityInfoAccess, cRLDistributionPoints), without the object per
 * node and per extension a schema-driven parser builds. The TBSCertificate is kept as the bytes received, so
 * certificates with non-DER encodings (explicit DEFAULT values, as Intel PTT EK certificates have) verify as signed.
 */
import { PkiError } from "./errors.js";
import {
  DER_TAG,
  DerError,
  booleanOf,
  checkWellFormed,
  childrenOf,
  contentsOf,
  encodingOf,
  expectTag,
  oidOf,
  readSingleElement,
  smallIntegerOf,
  timeOf,
  type DerElement,
} from "./der.js";
import { x509 } from "./x509.js";

/** One extension as the certificate carries it. */
export interface CertificateExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue OCTET STRING's contents: the extension's own DER. */
  readonly value: Uint8Array;
}

/** What {@link readCertificate} reads from a certificate. */
export interface CertificateFacts {
  /** The certificate as received. */
  readonly der: Uint8Array;
  /** The TBSCertificate exactly as encoded (what the signature covers). */
  readonly tbs: Uint8Array;
  /** OID of the outer signatureAlgorithm. */
  readonly signatureAlgorithm: string;
  /** The signatureValue BIT STRING's bits. */
  readonly signature: Uint8Array;
  /** Hex serial number, as @peculiar/x509 prints it. */
  readonly serialNumber: string;
  /** Issuer and subject distinguished names (RFC 4514 strings, as @peculiar/x509 prints them). */
  readonly issuer: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly extensions: readonly CertificateExtension[];
  /** basicConstraints cA (false when the extension is absent). */
  readonly ca: boolean;
  /** keyUsage bits as x509.KeyUsageFlags; undefined when the extension is absent. */
  readonly keyUsage: number | undefined;
  /** extendedKeyUsage purposes; undefined when the extension is absent. */
  readonly extendedKeyUsages: readonly string[] | undefined;
  /** Hex authorityKeyIdentifier keyIdentifier, when present. */
  readonly authorityKeyId: string | undefined;
  /** First authorityInfoAccess caIssuers URI, when present. */
  readonly aiaUrl: string | undefined;
  /** First cRLDistributionPoints fullName URI, when present. */
  readonly crlUrl: string | undefined;
}

/** RFC 5280 §4.2 extension OIDs the reader interprets. */
const EXTENSION_OID = {
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  authorityKeyIdentifier: "2.5.29.35",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  crlDistributionPoints: "2.5.29.31",
} as const;

/** RFC 5280 §4.2.2.1 id-ad-caIssuers. */
const ID_AD_CA_ISSUERS = "1.3.6.1.5.5.7.48.2";

/** GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String. */
const TAG_URI = 0x86;
const TAG_VERSION = 0xa0;
const TAG_EXTENSIONS = 0xa3;
const TAG_KEY_IDENTIFIER = 0x80;
const TAG_DISTRIBUTION_POINT = 0xa0;
const TAG_FULL_NAME = 0xa0;

/** Distinguished-name strings by DER (the same few issuers again and again), bounded. */
const MAX_CACHED_NAMES = 1024;
const nameStrings = new Map<string, string>();

function nameString(der: Uint8Array): string {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("latin1");
  let text = nameStrings.get(key);
  if (text === undefined) {
    text = new x509.Name(Uint8Array.from(der)).toString();
    if (nameStrings.size >= MAX_CACHED_NAMES) nameStrings.delete(nameStrings.keys().next().value!);
    nameStrings.set(key, text);
  }
  return text;
}

function hexOf(octets: Uint8Array): string {
  return Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength).toString("hex");
}

/** @peculiar/x509's serial form: the INTEGER octets in hex, less a 00 that only keeps the value positive. */
function serialHexOf(element: DerElement): string {
  const octets = contentsOf(expectTag(element, DER_TAG.integer, "serialNumber"));
  if (octets.length === 0) throw new DerError("empty serialNumber");
  return hexOf(octets.length > 1 && octets[0] === 0 && octets[1]! > 0x7f ? octets.subarray(1) : octets);
}

function bitStringBits(element: DerElement, what: string): Uint8Array {
  const octets = contentsOf(expectTag(element, DER_TAG.bitString, what));
  if (octets.length === 0 || octets[0]! > 7) throw new DerError(`${what}: bad BIT STRING`);
  return octets.subarray(1);
}

/** The value's single element (an extension value, or an OCTET STRING's contents). */
function valueElement(value: Uint8Array): DerElement {
  const element = readSingleElement(value);
  checkWellFormed(element);
  return element;
}

function readExtensions(element: DerElement | undefined): CertificateExtension[] {
  if (element === undefined) return [];
  const [list, extra] = childrenOf(expectTag(element, TAG_EXTENSIONS, "extensions"));
  if (extra !== undefined) throw new DerError("extensions: trailing elements");
  return childrenOf(expectTag(list, DER_TAG.sequence, "extensions")).map((extension) => {
    const fields = childrenOf(expectTag(extension, DER_TAG.sequence, "extension"));
    const oid = oidOf(expectTag(fields[0], DER_TAG.oid, "extnID"));
    // critical BOOLEAN DEFAULT FALSE: present (even as an explicit FALSE, a non-DER quirk) or absent
    const hasCritical = fields[1]?.tag === DER_TAG.boolean;
    const critical = hasCritical ? booleanOf(fields[1]!) : false;
    const valueField = expectTag(fields[hasCritical ? 2 : 1], DER_TAG.octetString, `extnValue of ${oid}`);
    if (fields.length !== (hasCritical ? 3 : 2)) throw new DerError(`extension ${oid}: trailing elements`);
    const value = contentsOf(valueField);
    valueElement(value);
    return { oid, critical, value };
  });
}

function find(extensions: readonly CertificateExtension[], oid: string): CertificateExtension | undefined {
  return extensions.find((extension) => extension.oid === oid);
}

/** RFC 5280 §4.2.1.9: cA (DEFAULT FALSE, which non-DER certificates encode explicitly). */
function basicConstraintsCa(extension: CertificateExtension | undefined): boolean {
  if (extension === undefined) return false;
  const fields = childrenOf(expectTag(valueElement(extension.value), DER_TAG.sequence, "basicConstraints"));
  const first = fields[0];
  const ca = first?.tag === DER_TAG.boolean ? booleanOf(first) : false;
  const pathLen = first?.tag === DER_TAG.boolean ? fields[1] : first;
  if (pathLen !== undefined) smallIntegerOf(pathLen);
  if (fields.length > (first?.tag === DER_TAG.boolean ? 2 : 1)) throw new DerError("basicConstraints: trailing elements");
  return ca;
}

/** RFC 5280 §4.2.1.3: bit n (0 = digitalSignature) as flag 1 << n, as x509.KeyUsageFlags numbers them. */
function keyUsageFlags(extension: CertificateExtension | undefined): number | undefined {
  if (extension === undefined) return undefined;
  const bits = bitStringBits(valueElement(extension.value), "keyUsage");
  let flags = 0;
  for (let bit = 0; bit < Math.min(bits.length * 8, 16); bit++) {
    if ((bits[bit >> 3]! & (0x80 >> (bit & 7))) !== 0) flags |= 1 << bit;
  }
  return flags;
}

function extendedKeyUsages(extension: CertificateExtension | undefined): string[] | undefined {
  if (extension === undefined) return undefined;
  return childrenOf(expectTag(valueElement(extension.value), DER_TAG.sequence, "extendedKeyUsage")).map(oidOf);
}

function authorityKeyId(extension: CertificateExtension | undefined): string | undefined {
  if (extension === undefined) return undefined;
  const fields = childrenOf(expectTag(valueElement(extension.value), DER_TAG.sequence, "authorityKeyIdentifier"));
  const keyIdentifier = fields.find((field) => field.tag === TAG_KEY_IDENTIFIER);
  return keyIdentifier === undefined ? undefined : hexOf(contentsOf(keyIdentifier));
}

function uriOf(name: DerElement): string | undefined {
  return name.tag === TAG_URI ? Buffer.from(contentsOf(name)).toString("latin1") : undefined;
}

/** RFC 5280 §4.2.2.1: the first caIssuers URI. */
function aiaUrl(extension: CertificateExtension | undefined): string | undefined {
  if (extension === undefined) return undefined;
  for (const description of childrenOf(expectTag(valueElement(extension.value), DER_TAG.sequence, "authorityInfoAccess"))) {
    const [method, location] = childrenOf(expectTag(description, DER_TAG.sequence, "AccessDescription"));
    if (location === undefined) throw new DerError("AccessDescription without accessLocation");
    if (oidOf(expectTag(method, DER_TAG.oid, "accessMethod")) !== ID_AD_CA_ISSUERS) continue;
    const uri = uriOf(location);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** RFC 5280 §4.2.1.13: the first fullName URI of the distribution points, in order. */
function crlUrl(extension: CertificateExtension | undefined): string | undefined {
  if (extension === undefined) return undefined;
  for (const point of childrenOf(expectTag(valueElement(extension.value), DER_TAG.sequence, "cRLDistributionPoints"))) {
    const name = childrenOf(expectTag(point, DER_TAG.sequence, "DistributionPoint")).find((field) => field.tag === TAG_DISTRIBUTION_POINT);
    const fullName = name === undefined ? undefined : childrenOf(name).find((field) => field.tag === TAG_FULL_NAME);
    for (const generalName of fullName === undefined ? [] : childrenOf(fullName)) {
      const uri = uriOf(generalName);
      if (uri !== undefined) return uri;
    }
  }
  return undefined;
}

function readFacts(der: Uint8Array): CertificateFacts {
  const certificate = readSingleElement(der);
  const [tbsElement, algorithmElement, signatureElement, extra] = childrenOf(expectTag(certificate, DER_TAG.sequence, "Certificate"));
  if (extra !== undefined) throw new DerError("Certificate: trailing elements");
  const tbsFields = childrenOf(expectTag(tbsElement, DER_TAG.sequence, "tbsCertificate"));
  let index = tbsFields[0]?.tag === TAG_VERSION ? 1 : 0;
  if (index === 1) smallIntegerOf(expectTag(childrenOf(tbsFields[0]!)[0], DER_TAG.integer, "version"));
  const serialNumber = serialHexOf(expectTag(tbsFields[index++], DER_TAG.integer, "serialNumber"));
  expectTag(tbsFields[index++], DER_TAG.sequence, "signature");
  const issuer = encodingOf(expectTag(tbsFields[index++], DER_TAG.sequence, "issuer"));
  const [notBefore, notAfter] = childrenOf(expectTag(tbsFields[index++], DER_TAG.sequence, "validity"));
  if (notBefore === undefined || notAfter === undefined) throw new DerError("validity needs notBefore and notAfter");
  const subject = encodingOf(expectTag(tbsFields[index++], DER_TAG.sequence, "subject"));
  const spki = expectTag(tbsFields[index++], DER_TAG.sequence, "subjectPublicKeyInfo");
  checkWellFormed(spki);
  while (tbsFields[index] !== undefined && (tbsFields[index]!.tag & 0x1f) < 3 && (tbsFields[index]!.tag & 0xc0) === 0x80) index++;
  const extensions = readExtensions(tbsFields[index++]);
  if (index < tbsFields.length) throw new DerError("tbsCertificate: trailing elements");
  const [algorithm] = childrenOf(expectTag(algorithmElement, DER_TAG.sequence, "signatureAlgorithm"));
  return {
    der,
    tbs: encodingOf(tbsElement!),
    signatureAlgorithm: oidOf(expectTag(algorithm, DER_TAG.oid, "signatureAlgorithm")),
    signature: bitStringBits(expectTag(signatureElement, DER_TAG.bitString, "signatureValue"), "signatureValue"),
    serialNumber,
    issuer: nameString(issuer),
    subject: nameString(subject),
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
    subjectPublicKeyInfo: encodingOf(spki),
    extensions,
    ca: basicConstraintsCa(find(extensions, EXTENSION_OID.basicConstraints)),
    keyUsage: keyUsageFlags(find(extensions, EXTENSION_OID.keyUsage)),
    extendedKeyUsages: extendedKeyUsages(find(extensions, EXTENSION_OID.extendedKeyUsage)),
    authorityKeyId: authorityKeyId(find(extensions, EXTENSION_OID.authorityKeyIdentifier)),
    aiaUrl: aiaUrl(find(extensions, EXTENSION_OID.authorityInfoAccess)),
    crlUrl: crlUrl(find(extensions, EXTENSION_OID.crlDistributionPoints)),
  };
}

/**
 * Reads a certificate (DER) in one walk: the signature-relevant parts, names, validity, public key and the
 * path-validation extensions. Accepts the non-DER encodings real EK certificates carry (explicit DEFAULT FALSE).
 * Does not verify the signature.
 * @throws PkiError CERT_MALFORMED when the bytes are not a well-formed certificate or an interpreted extension is
 *   malformed.
 */
export function readCertificate(der: Uint8Array): CertificateFacts {
  try {
    return readFacts(der);
  } catch (error) {
    throw new PkiError("CERT_MALFORMED", `not an X.509 certificate: ${(error as Error).message}`, { cause: error });
  }
}

/** Facts of @peculiar/x509 certificates already parsed (CA certificates, cached by their holders), once each. */
const factsOfParsed = new WeakMap<x509.X509Certificate, CertificateFacts>();

/** A certificate as parsed by @peculiar/x509, or as read by {@link readCertificate}. */
export type AnyCertificate = x509.X509Certificate | CertificateFacts;

/**
 * The facts of a certificate in either form; for an @peculiar/x509 object they are read once and remembered.
 * @throws PkiError CERT_MALFORMED as readCertificate does.
 */
export function certificateFacts(certificate: AnyCertificate): CertificateFacts {
  if (!(certificate instanceof x509.X509Certificate)) return certificate;
  let facts = factsOfParsed.get(certificate);
  if (facts === undefined) {
    facts = readCertificate(new Uint8Array(certificate.rawData));
    factsOfParsed.set(certificate, facts);
  }
  return facts;
}

/** RFC 5280 §6.1.4 (k), (n): a certificate that signs others is a CA and, when it states key usages, keyCertSign. */
export function isCaCertificate(facts: CertificateFacts): boolean {
  return facts.ca && (facts.keyUsage === undefined || (facts.keyUsage & x509.KeyUsageFlags.keyCertSign) !== 0);
}

