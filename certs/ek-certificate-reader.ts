/**
 * The attestation service's EK certificate reader: {@link readCertificate}'s one walk of the DER plus the TCG
 * extensions (TPM subjectAltName, tcg-at-tpmSpecification), read with the same walker. Gives what
 * parseEkCertificate gives at a fraction of its cost (no @peculiar/x509 object, no per-extension classes).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { readCertificate, type CertificateExtension, type CertificateFacts } from "./certificate-reader.js";
import {
  DER_TAG,
  childrenOf,
  contentsOf,
  expectTag,
  oidOf,
  readSingleElement,
  smallIntegerOf,
  stringOf,
  type DerElement,
} from "./der.js";
import type { ParsedEkCertificate } from "./ek-certificate.js";
import { PkiError } from "./errors.js";
import type { KeyKind } from "./signing-key.js";
import { TCG_OID, parseTpmId, type TpmDeviceAttributes, type TpmSpecification } from "./tcg-extensions.js";

/** An EK certificate as {@link readEkCertificate} reads it: its certificate facts and its TPM facts. */
export interface EkCertificateFacts extends CertificateFacts, ParsedEkCertificate {}

const ID_CE_SUBJECT_ALT_NAME = "2.5.29.17";
const ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES = "2.5.29.9";
/** GeneralName directoryName: [4] EXPLICIT Name. */
const TAG_DIRECTORY_NAME = 0xa4;

function malformed(message: string, cause?: unknown): PkiError {
  return new PkiError("EK_CERT_MALFORMED", message, cause === undefined ? undefined : { cause });
}

/** @peculiar/asn1-x509 AttributeValue.toString: the string, else the hex of the whole element. */
function attributeText(value: DerElement): string {
  return stringOf(value) ?? Buffer.from(value.bytes.subarray(value.start, value.end)).toString("hex");
}

/** As parseTpmSubjectAltName: both directoryName layouts (an RDN per attribute, or one RDN holding all three). */
function tpmAttributes(extension: CertificateExtension): TpmDeviceAttributes | undefined {
  const found = new Map<string, string>();
  for (const name of childrenOf(expectTag(readSingleElement(extension.value), DER_TAG.sequence, "subjectAltName"))) {
    if (name.tag !== TAG_DIRECTORY_NAME) continue;
    const [distinguishedName] = childrenOf(name);
    for (const rdn of childrenOf(expectTag(distinguishedName, DER_TAG.sequence, "directoryName"))) {
      for (const attribute of childrenOf(expectTag(rdn, DER_TAG.set, "RelativeDistinguishedName"))) {
        const [type, value] = childrenOf(expectTag(attribute, DER_TAG.sequence, "AttributeTypeAndValue"));
        if (value === undefined) throw new PkiError("EK_CERT_MALFORMED", "attribute without a value");
        found.set(oidOf(expectTag(type, DER_TAG.oid, "attribute type")), attributeText(value));
      }
    }
  }
  const manufacturer = found.get(TCG_OID.tpmManufacturer);
  const model = found.get(TCG_OID.tpmModel);
  const version = found.get(TCG_OID.tpmVersion);
  if (manufacturer === undefined || model === undefined || version === undefined) return undefined;
  const manufacturerId = parseTpmId(manufacturer);
  const versionValue = parseTpmId(version);
  if (manufacturerId === undefined || versionValue === undefined) return undefined;
  return { manufacturerId, model, version: versionValue };
}

/** As parseTpmSpecificationExtension: the first tcg-at-tpmSpecification attribute, when its family is "2.0". */
function tpmSpecification(extension: CertificateExtension | undefined): TpmSpecification | undefined {
  if (extension === undefined) return undefined;
  for (const attribute of childrenOf(expectTag(readSingleElement(extension.value), DER_TAG.sequence, "subjectDirectoryAttributes"))) {
    const [type, values] = childrenOf(expectTag(attribute, DER_TAG.sequence, "Attribute"));
    if (oidOf(expectTag(type, DER_TAG.oid, "attribute type")) !== TCG_OID.tpmSpecification) continue;
    const [first] = childrenOf(expectTag(values, DER_TAG.set, "attribute values"));
    if (first === undefined) continue;
    const [family, level, revision] = childrenOf(expectTag(first, DER_TAG.sequence, "TPMSpecification"));
    const familyText = new TextDecoder("utf-8", { fatal: true }).decode(contentsOf(expectTag(family, DER_TAG.utf8String, "family")));
    const specification = {
      level: smallIntegerOf(expectTag(level, DER_TAG.integer, "level")),
      revision: smallIntegerOf(expectTag(revision, DER_TAG.integer, "revision")),
    };
    return familyText === "2.0" ? { family: familyText, ...specification } : undefined;
  }
  return undefined;
}

/** RFC 8017 rsaEncryption and RFC 5480 id-ecPublicKey: the EK kinds. */
const KEY_KINDS: ReadonlyMap<string, KeyKind> = new Map([
  ["1.2.840.113549.1.1.1", "rsa"],
  ["1.2.840.10045.2.1", "ecc"],
]);

/** The algorithm OID of a SubjectPublicKeyInfo. */
function keyAlgorithmOf(spki: Uint8Array): string {
  const [algorithm] = childrenOf(expectTag(readSingleElement(spki), DER_TAG.sequence, "subjectPublicKeyInfo"));
  return oidOf(expectTag(childrenOf(expectTag(algorithm, DER_TAG.sequence, "algorithm"))[0], DER_TAG.oid, "algorithm"));
}

function importKey(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
  } catch (error) {
    throw malformed("unreadable subjectPublicKeyInfo", error);
  }
}

/**
 * Reads an EK certificate (DER) for the service's request path: what parseEkCertificate reads (TPM facts, EK public
 * key, issuer, AKI, AIA and CRL URLs, serial, validity) plus the certificate facts path validation and the profile
 * check use. Accepts the quirks real EK certificates carry: explicit FALSE in basicConstraints and critical flags,
 * all TPM attributes in one RDN, no authorityKeyIdentifier. Does not verify the signature or the chain.
 * `publicKey` is imported on first use (an import costs more than the rest of the read; the service compares the
 * SubjectPublicKeyInfo bytes instead), and throws PkiError EK_CERT_MALFORMED then when the key is unreadable.
 * @throws PkiError EK_CERT_MALFORMED when it is not a well-formed certificate, has no TPM SAN, or its key is
 *   neither RSA nor EC.
 */
export function readEkCertificate(der: Uint8Array): EkCertificateFacts {
  let facts: CertificateFacts;
  try {
    facts = readCertificate(der);
  } catch (error) {
    throw malformed("not an X.509 certificate", error);
  }
  let tpm: TpmDeviceAttributes | undefined;
  let specification: TpmSpecification | undefined;
  try {
    const san = facts.extensions.find((extension) => extension.oid === ID_CE_SUBJECT_ALT_NAME);
    tpm = san === undefined ? undefined : tpmAttributes(san);
    specification = tpmSpecification(facts.extensions.find((extension) => extension.oid === ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES));
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw malformed(`malformed TCG extension: ${(error as Error).message}`, error);
  }
  if (tpm === undefined) throw malformed("no TPM manufacturer, model and version in subjectAltName");
  let algorithm: string;
  try {
    algorithm = keyAlgorithmOf(facts.subjectPublicKeyInfo);
  } catch (error) {
    throw malformed("unreadable subjectPublicKeyInfo", error);
  }
  const kind = KEY_KINDS.get(algorithm);
  if (kind === undefined) throw malformed(`unsupported EK key algorithm ${algorithm}`);
  let publicKey: KeyObject | undefined;
  return {
    ...facts,
    ...tpm,
    specification,
    kind,
    get publicKey(): KeyObject {
      return (publicKey ??= importKey(facts.subjectPublicKeyInfo));
    },
  };
}
