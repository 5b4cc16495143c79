/**
 * The few fields of an X.509 certificate (RFC 5280 §4.1) the device needs to walk AIA: issuer and subject
 * names, key identifiers, caIssuers URLs. Read straight from the DER, without building a node:crypto
 * X509Certificate: that constructor decodes the public key through OpenSSL 3's decoders and costs about
 * 0.2 ms, which a device paid for every certificate of every attestation.
 */

/** What {@link readCertificateFields} returns. */
export interface CertificateFields {
  /** DER of the issuer Name. */
  readonly issuer: Buffer;
  /** DER of the subject Name. */
  readonly subject: Buffer;
  /** subjectKeyIdentifier (RFC 5280 §4.2.1.2), when present. */
  readonly subjectKeyId: Buffer | undefined;
  /** authorityKeyIdentifier's keyIdentifier (RFC 5280 §4.2.1.1), when present. */
  readonly authorityKeyId: Buffer | undefined;
  /** The URIs of the AIA extension's caIssuers access descriptions (RFC 5280 §4.2.2.1), in order. */
  readonly caIssuers: readonly string[];
}

/** A certificate's signed parts and the fields a relying party checks on a leaf (RFC 5280 §4.1.1, §4.2.1). */
export interface SignedCertificateFields extends CertificateFields {
  /** The tbsCertificate element as received: what the signature covers. */
  readonly tbsCertificate: Buffer;
  /** DER of the outer signatureAlgorithm and of the tbsCertificate's signature field (they must be equal). */
  readonly signatureAlgorithm: Buffer;
  readonly tbsSignatureAlgorithm: Buffer;
  /** DER contents octets of the signature algorithm's OID. */
  readonly signatureAlgorithmOid: Buffer;
  /** The signatureValue's bits (a whole number of octets). */
  readonly signature: Buffer;
  /** DER of the subjectPublicKeyInfo. */
  readonly subjectPublicKeyInfo: Buffer;
  /** DER contents octets of the extKeyUsage purposes (RFC 5280 §4.2.1.12); undefined without the extension. */
  readonly extendedKeyUsage: readonly Buffer[] | undefined;
  /** The keyUsage extension's first two octets of bits (bit 0 = 0x8000); undefined without the extension. */
  readonly keyUsage: number | undefined;
}

/** A certificate that is not the DER this reader expects. */
export class CertificateFormatError extends Error {
  override readonly name = "CertificateFormatError";
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const OID = 0x06;
const INTEGER = 0x02;
const BOOLEAN = 0x01;
const VERSION_TAG = 0xa0;
const EXTENSIONS_TAG = 0xa3;
const KEY_IDENTIFIER_TAG = 0x80;
const URI_TAG = 0x86;

/** DER contents octets of the OIDs read here. */
const OID_AUTHORITY_INFO_ACCESS = Buffer.from("2b06010505070101", "hex"); // 1.3.6.1.5.5.7.1.1
const OID_CA_ISSUERS = Buffer.from("2b06010505073002", "hex"); // 1.3.6.1.5.5.7.48.2
const OID_SUBJECT_KEY_IDENTIFIER = Buffer.from("551d0e", "hex"); // 2.5.29.14
const OID_AUTHORITY_KEY_IDENTIFIER = Buffer.from("551d23", "hex"); // 2.5.29.35
const OID_KEY_USAGE = Buffer.from("551d0f", "hex"); // 2.5.29.15
const OID_EXTENDED_KEY_USAGE = Buffer.from("551d25", "hex"); // 2.5.29.37
const BIT_STRING = 0x03;

interface Element {
  readonly tag: number;
  /** The whole TLV. */
  readonly der: Buffer;
  readonly content: Buffer;
}

/** The DER elements of `bytes`, in order (X.690 §8.1: one-octet tags, definite lengths). */
function elements(bytes: Buffer): Element[] {
  const out: Element[] = [];
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const tag = bytes[at++]!;
    if ((tag & 0x1f) === 0x1f) throw new CertificateFormatError("multi-octet tags are not used in certificates");
    if (at >= bytes.length) throw new CertificateFormatError("truncated length");
    let length = bytes[at++]!;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 3 || at + octets > bytes.length) throw new CertificateFormatError("unsupported or truncated length");
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[at++]!;
    }
    if (at + length > bytes.length) throw new CertificateFormatError("an element runs past its container");
    out.push({ tag, der: bytes.subarray(start, at + length), content: bytes.subarray(at, at + length) });
    at += length;
  }
  return out;
}

/** The single element `bytes` holds, of tag `tag`. */
function single(bytes: Buffer, tag: number, what: string): Element {
  const [element, ...rest] = elements(bytes);
  if (element === undefined || element.tag !== tag || rest.length > 0) throw new CertificateFormatError(`${what} is not one element of tag 0x${tag.toString(16)}`);
  return element;
}

function expectTag(element: Element | undefined, tag: number, what: string): Element {
  if (element?.tag !== tag) throw new CertificateFormatError(`${what} missing`);
  return element;
}

/** AccessDescriptions whose method is id-ad-caIssuers and whose location is a URI. */
function caIssuersOf(extnValue: Buffer): string[] {
  const urls: string[] = [];
  for (const description of elements(single(extnValue, SEQUENCE, "authorityInfoAccess").content)) {
    const [method, location] = elements(description.content);
    if (method?.tag === OID && method.content.equals(OID_CA_ISSUERS) && location?.tag === URI_TAG) {
      urls.push(location.content.toString("latin1"));
    }
  }
  return urls;
}

function authorityKeyIdOf(extnValue: Buffer): Buffer | undefined {
  return elements(single(extnValue, SEQUENCE, "authorityKeyIdentifier").content).find((e) => e.tag === KEY_IDENTIFIER_TAG)?.content;
}

function keyUsageOf(extnValue: Buffer): number {
  const bits = single(extnValue, BIT_STRING, "keyUsage").content;
  if (bits.length < 2) throw new CertificateFormatError("keyUsage has no bits");
  return ((bits[1] ?? 0) << 8) | (bits[2] ?? 0);
}

function extendedKeyUsageOf(extnValue: Buffer): Buffer[] {
  return elements(single(extnValue, SEQUENCE, "extKeyUsage").content).map((purpose) => expectTag(purpose, OID, "KeyPurposeId").content);
}

/**
 * Reads a DER certificate: its signed parts and the fields of {@link SignedCertificateFields}.
 * @throws CertificateFormatError when the bytes are not a certificate's DER as far as these fields go.
 */
export function readSignedCertificate(der: Uint8Array): SignedCertificateFields {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const [tbs, algorithm, signature, extra] = elements(single(bytes, SEQUENCE, "Certificate").content);
  if (algorithm?.tag !== SEQUENCE || signature?.tag !== BIT_STRING || extra !== undefined) {
    throw new CertificateFormatError("signatureAlgorithm or signatureValue missing");
  }
  if (signature.content.length < 1 || signature.content[0] !== 0) throw new CertificateFormatError("signatureValue is not whole octets");
  const algorithmOid = expectTag(elements(algorithm.content)[0], OID, "signatureAlgorithm");
  const fields = elements(expectTag(tbs, SEQUENCE, "tbsCertificate").content);
  let i = fields[0]?.tag === VERSION_TAG ? 1 : 0;
  expectTag(fields[i++], INTEGER, "serialNumber");
  const tbsSignature = expectTag(fields[i++], SEQUENCE, "signature");
  const issuer = expectTag(fields[i++], SEQUENCE, "issuer");
  expectTag(fields[i++], SEQUENCE, "validity");
  const subject = expectTag(fields[i++], SEQUENCE, "subject");
  const spki = expectTag(fields[i++], SEQUENCE, "subjectPublicKeyInfo");
  const extensions = fields.slice(i).find((e) => e.tag === EXTENSIONS_TAG);
  let subjectKeyId: Buffer | undefined;
  let authorityKeyId: Buffer | undefined;
  let caIssuers: string[] = [];
  let extendedKeyUsage: Buffer[] | undefined;
  let keyUsage: number | undefined;
  for (const extension of extensions === undefined ? [] : elements(single(extensions.content, SEQUENCE, "extensions").content)) {
    const parts = elements(extension.content);
    const id = expectTag(parts[0], OID, "extnID");
    const value = expectTag(parts[1]?.tag === BOOLEAN ? parts[2] : parts[1], OCTET_STRING, "extnValue").content;
    if (id.content.equals(OID_AUTHORITY_INFO_ACCESS)) caIssuers = caIssuersOf(value);
    else if (id.content.equals(OID_SUBJECT_KEY_IDENTIFIER)) subjectKeyId = single(value, OCTET_STRING, "subjectKeyIdentifier").content;
    else if (id.content.equals(OID_AUTHORITY_KEY_IDENTIFIER)) authorityKeyId = authorityKeyIdOf(value);
    else if (id.content.equals(OID_EXTENDED_KEY_USAGE)) extendedKeyUsage = extendedKeyUsageOf(value);
    else if (id.content.equals(OID_KEY_USAGE)) keyUsage = keyUsageOf(value);
  }
  return {
    issuer: issuer.der,
    subject: subject.der,
    subjectKeyId,
    authorityKeyId,
    caIssuers,
    tbsCertificate: tbs!.der,
    signatureAlgorithm: algorithm.der,
    tbsSignatureAlgorithm: tbsSignature.der,
    signatureAlgorithmOid: algorithmOid.content,
    signature: signature.content.subarray(1),
    subjectPublicKeyInfo: spki.der,
    extendedKeyUsage,
    keyUsage,
  };
}

/**
 * Reads the fields of a DER certificate.
 * @throws CertificateFormatError when the bytes are not a certificate's DER as far as these fields go.
 */
export function readCertificateFields(der: Uint8Array): CertificateFields {
  const { issuer, subject, subjectKeyId, authorityKeyId, caIssuers } = readSignedCertificate(der);
  return { issuer, subject, subjectKeyId, authorityKeyId, caIssuers };
}

/**
 * Whether `issuer` may have issued `certificate` (the name and key-identifier checks of OpenSSL's
 * X509_check_issued): the issuer's subject is the certificate's issuer, byte for byte, and the key
 * identifiers agree when both are present. Signatures are not checked: the service verifies the chain.
 */
export function mayHaveIssued(issuer: CertificateFields, certificate: CertificateFields): boolean {
  if (!issuer.subject.equals(certificate.issuer)) return false;
  return issuer.subjectKeyId === undefined || certificate.authorityKeyId === undefined || issuer.subjectKeyId.equals(certificate.authorityKeyId);
}

/** A self-issued certificate (RFC 5280 §3.3: subject and issuer are the same entity), such as a root. */
export function isSelfIssued(certificate: CertificateFields): boolean {
  return mayHaveIssued(certificate, certificate);
}
