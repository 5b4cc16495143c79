/**
 * Reading and verifying PKCS#10 certificate requests (RFC 2986), including the ones Windows' enrollment client
 * makes: RSA signed with SHA-1 under the legacy OIW OID sha1WithRSASignature (1.3.14.3.2.29), which common X.509
 * libraries do not recognise, a subject CN that is not a valid PrintableString (`<guid>!<DeviceID>\0`), and the
 * DeviceID in Microsoft's extension 1.3.6.1.4.1.311.66.1.0. The signature is checked over the
 * CertificationRequestInfo bytes as received.
 */
import { createPublicKey, verify as verifyCallback, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import {
  DER_TAG,
  DerError,
  booleanOf,
  childrenOf,
  contentsOf,
  encodingOf,
  expectTag,
  oidOf,
  readSingleElement,
  smallIntegerOf,
  stringOf,
  type DerElement,
} from "./der.js";
import { PkiError } from "./errors.js";
import { SIGNATURE_ALGORITHMS } from "./certificate-signature.js";

const verifyAsync = promisify(verifyCallback);

/** Microsoft's DeviceID request extension (the value is the DeviceID in ASCII, NUL-terminated). */
export const MS_DEVICE_ID_EXTENSION_OID = "1.3.6.1.4.1.311.66.1.0";

/** PKCS#9 extensionRequest attribute (RFC 2985 §5.4.2). */
const EXTENSION_REQUEST_OID = "1.2.840.113549.1.9.14";
const COMMON_NAME_OID = "2.5.4.3";

/** Signature algorithms accepted on a request, by OID: the digest and whether the key is EC. */
const CSR_SIGNATURE_ALGORITHMS: ReadonlyMap<string, { readonly hash: string; readonly ec: boolean }> = new Map([
  // OIW sha1WithRSASignature, what Windows' enrollment client uses.
  ["1.3.14.3.2.29", { hash: "sha1", ec: false }],
  ...SIGNATURE_ALGORITHMS,
]);

/** An extension the requester asked for. */
export interface RequestedExtension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue contents. */
  readonly value: Uint8Array;
}

/** A parsed certificate request. */
export interface CertificateRequest {
  readonly der: Uint8Array;
  /** The subject's first CN as the requester wrote it (may end in NUL), if any. */
  readonly subjectCommonName: string | undefined;
  /** The SubjectPublicKeyInfo DER: what an issued certificate must carry. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly publicKey: KeyObject;
  /** `rsa` or `ec` (what node:crypto reports). */
  readonly keyType: string;
  /** RSA modulus length in bits, or the EC curve's field size. */
  readonly keyBits: number;
  readonly signatureAlgorithm: string;
  /** The digest of the signature (`sha1`, `sha256`, …). */
  readonly signatureHash: string;
  readonly extensions: readonly RequestedExtension[];
}

interface CsrParts {
  readonly info: Uint8Array;
  readonly signature: Uint8Array;
  readonly request: CertificateRequest;
}

const CURVE_BITS: Readonly<Record<string, number>> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

function commonNameOf(name: DerElement): string | undefined {
  for (const rdn of childrenOf(expectTag(name, DER_TAG.sequence, "subject"))) {
    for (const attribute of childrenOf(expectTag(rdn, DER_TAG.set, "RelativeDistinguishedName"))) {
      const [type, value] = childrenOf(expectTag(attribute, DER_TAG.sequence, "AttributeTypeAndValue"));
      if (oidOf(expectTag(type, DER_TAG.oid, "attribute type")) === COMMON_NAME_OID && value !== undefined) return stringOf(value);
    }
  }
  return undefined;
}

function extensionsOf(attributes: DerElement | undefined): RequestedExtension[] {
  if (attributes === undefined) return [];
  const extensions: RequestedExtension[] = [];
  for (const attribute of childrenOf(attributes)) {
    const [type, values] = childrenOf(expectTag(attribute, DER_TAG.sequence, "Attribute"));
    if (oidOf(expectTag(type, DER_TAG.oid, "attribute type")) !== EXTENSION_REQUEST_OID) continue;
    for (const list of childrenOf(expectTag(values, DER_TAG.set, "attribute values"))) {
      for (const extension of childrenOf(expectTag(list, DER_TAG.sequence, "Extensions"))) {
        const parts = childrenOf(expectTag(extension, DER_TAG.sequence, "Extension"));
        if (parts.length !== 2 && parts.length !== 3) throw new DerError("Extension has the wrong number of fields");
        const critical = parts.length === 3 ? booleanOf(parts[1]!) : false;
        extensions.push({
          oid: oidOf(expectTag(parts[0], DER_TAG.oid, "extnID")),
          critical,
          value: Uint8Array.from(contentsOf(expectTag(parts[parts.length - 1], DER_TAG.octetString, "extnValue"))),
        });
      }
    }
  }
  return extensions;
}

function parseParts(der: Uint8Array): CsrParts {
  let parts: Omit<CertificateRequest, "publicKey" | "keyType" | "keyBits" | "signatureHash"> & { info: Uint8Array; signature: Uint8Array };
  try {
    const [info, algorithm, signature, extra] = childrenOf(expectTag(readSingleElement(der), DER_TAG.sequence, "CertificationRequest"));
    if (extra !== undefined) throw new DerError("CertificationRequest: trailing elements");
    const [version, subject, spki, attributes] = childrenOf(expectTag(info, DER_TAG.sequence, "CertificationRequestInfo"));
    if (smallIntegerOf(expectTag(version, DER_TAG.integer, "version")) !== 0) throw new DerError("version is not v1 (0)");
    const bits = contentsOf(expectTag(signature, DER_TAG.bitString, "signature"));
    if (bits.length < 2 || bits[0] !== 0) throw new DerError("signature BIT STRING is empty or not octet-aligned");
    const [oid] = childrenOf(expectTag(algorithm, DER_TAG.sequence, "signatureAlgorithm"));
    parts = {
      der: Uint8Array.from(der),
      info: encodingOf(expectTag(info, DER_TAG.sequence, "CertificationRequestInfo")),
      signature: bits.subarray(1),
      subjectCommonName: commonNameOf(expectTag(subject, DER_TAG.sequence, "subject")),
      subjectPublicKeyInfo: Uint8Array.from(encodingOf(expectTag(spki, DER_TAG.sequence, "subjectPKInfo"))),
      signatureAlgorithm: oidOf(expectTag(oid, DER_TAG.oid, "signatureAlgorithm")),
      extensions: extensionsOf(attributes === undefined ? undefined : expectTag(attributes, 0xa0, "attributes")),
    };
  } catch (error) {
    if (error instanceof DerError) throw new PkiError("CSR_MALFORMED", `not a PKCS#10 certificate request: ${error.message}`, { cause: error });
    throw error;
  }
  const algorithm = CSR_SIGNATURE_ALGORITHMS.get(parts.signatureAlgorithm);
  if (algorithm === undefined) throw new PkiError("UNSUPPORTED_ALGORITHM", `unsupported request signature algorithm ${parts.signatureAlgorithm}`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(parts.subjectPublicKeyInfo), format: "der", type: "spki" });
  } catch (error) {
    throw new PkiError("CSR_MALFORMED", "the request's public key is unreadable", { cause: error });
  }
  const keyType = publicKey.asymmetricKeyType ?? "unknown";
  if (keyType !== "rsa" && keyType !== "ec") throw new PkiError("UNSUPPORTED_ALGORITHM", `unsupported request key type ${keyType}`);
  if ((keyType === "ec") !== algorithm.ec) throw new PkiError("CSR_SIGNATURE_INVALID", "signature algorithm does not fit the key type");
  const details = publicKey.asymmetricKeyDetails ?? {};
  const keyBits = keyType === "rsa" ? (details.modulusLength ?? 0) : (CURVE_BITS[details.namedCurve ?? ""] ?? 0);
  const { info, signature, ...request } = parts;
  return { info, signature, request: { ...request, publicKey, keyType, keyBits, signatureHash: algorithm.hash } };
}

/**
 * Parses a DER PKCS#10 request without checking its signature.
 * @throws PkiError CSR_MALFORMED for bytes that are not a request, UNSUPPORTED_ALGORITHM for a signature or key
 * algorithm outside RSA / ECDSA with SHA-1/256/384/512.
 */
export function parseCertificateRequest(der: Uint8Array): CertificateRequest {
  return parseParts(der).request;
}

/**
 * Parses a DER PKCS#10 request and verifies its self-signature (proof that the requester holds the key) over the
 * CertificationRequestInfo bytes as received. Accepts sha1WithRSA under 1.3.14.3.2.29 as well as the PKCS#1 OIDs.
 * @throws PkiError CSR_SIGNATURE_INVALID when the signature does not verify with the request's own key, and the
 * errors of {@link parseCertificateRequest}.
 */
export async function verifyCertificateRequest(der: Uint8Array): Promise<CertificateRequest> {
  const { info, signature, request } = parseParts(der);
  let valid: boolean;
  try {
    valid = await verifyAsync(request.signatureHash, info, { key: request.publicKey, dsaEncoding: "der" }, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new PkiError("CSR_SIGNATURE_INVALID", "the request is not signed by the key it carries");
  return request;
}

/** The DeviceID a Windows request carries in extension 1.3.6.1.4.1.311.66.1.0 (NUL stripped), if any. */
export function requestedDeviceId(request: CertificateRequest): string | undefined {
  const extension = request.extensions.find((candidate) => candidate.oid === MS_DEVICE_ID_EXTENSION_OID);
  if (extension === undefined) return undefined;
  return Buffer.from(extension.value).toString("latin1").replace(/\0+$/, "");
}
