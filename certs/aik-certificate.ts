import { createPublicKey, KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  CertificatePolicies,
  DisplayText,
  PolicyInformation,
  PolicyQualifierInfo,
  UserNotice,
  id_ce_certificatePolicies,
  id_ce_subjectAltName,
} from "@peculiar/asn1-x509";
import { AIK_POLICY_OID, type AikCa } from "./aik-pki.js";
import { keyIdentifierOf } from "./ca-certificate.js";
import { DER_TAG, DerError, childrenOf, expectTag, oidOf, readSingleElement } from "./der.js";
import { PkiError } from "./errors.js";
import type { KeyKind } from "./signing-key.js";
import {
  TCG_OID,
  createTpmSubjectAltName,
  parseTpmSubjectAltName,
  type TpmDeviceAttributes,
} from "./tcg-extensions.js";
import { x509 } from "./x509.js";

/** What {@link issueAikCertificate} certifies. */
export interface AikCertificateRequest {
  readonly issuingCa: AikCa;
  /**
   * The attestation key's public key (RSA or EC), or its DER SubjectPublicKeyInfo (whose algorithm is checked but
   * whose key is not imported: for callers that already verified the key, e.g. a signature by it).
   */
  readonly akPublicKey: CryptoKey | KeyObject | Uint8Array;
  /** The TPM's manufacturer, model and firmware version, as its EK certificate states them. */
  readonly tpm: TpmDeviceAttributes;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex serial number (positive, at most 20 octets); default 16 random bytes. */
  readonly serialNumber?: string;
}

/** What {@link parseAikCertificate} reads from an AIK certificate. */
export interface ParsedAikCertificate {
  readonly tpm: TpmDeviceAttributes;
  readonly kind: KeyKind;
  readonly publicKey: KeyObject;
  /** Issuer distinguished name (RFC 4514 string), e.g. `CN=IFX-KEYID-…`. */
  readonly issuer: string;
  /** Hex AuthorityKeyIdentifier keyIdentifier, when present. */
  readonly authorityKeyId: string | undefined;
  /** AIA caIssuers URL of the issuing CA, when present. */
  readonly aiaUrl: string | undefined;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Where the certificate departs from Microsoft's AIK profile; empty when it conforms. */
  readonly violations: readonly string[];
}

/** RFC 5280 §4.2.1.4 id-qt-unotice. */
const ID_QT_UNOTICE = "1.3.6.1.5.5.7.2.2";

/** The user notice Microsoft's AIK certificates carry under their policy. */
const AIK_POLICY_NOTICE = "TCPA  Trusted  Platform  Identity";

const SERIAL_HEX = /^[0-9a-f]{1,40}$/i;

function invalid(message: string): PkiError {
  return new PkiError("AIK_REQUEST_INVALID", message);
}

function keyKindOf(key: KeyObject): KeyKind | undefined {
  if (key.asymmetricKeyType === "rsa") return "rsa";
  if (key.asymmetricKeyType === "ec") return "ecc";
  return undefined;
}

/** RFC 8017 rsaEncryption and RFC 5480 id-ecPublicKey. */
const AK_KEY_ALGORITHMS = new Set(["1.2.840.113549.1.1.1", "1.2.840.10045.2.1"]);

/** A DER SubjectPublicKeyInfo's copy, once its shape and algorithm are checked. */
function checkedSpki(spki: Uint8Array): Uint8Array<ArrayBuffer> {
  let algorithm: string;
  try {
    const [identifier, key, extra] = childrenOf(expectTag(readSingleElement(spki), DER_TAG.sequence, "subjectPublicKeyInfo"));
    expectTag(key, DER_TAG.bitString, "subjectPublicKey");
    if (extra !== undefined) throw new DerError("subjectPublicKeyInfo: trailing elements");
    algorithm = oidOf(expectTag(childrenOf(expectTag(identifier, DER_TAG.sequence, "algorithm"))[0], DER_TAG.oid, "algorithm"));
  } catch (error) {
    if (error instanceof DerError) throw invalid(`akPublicKey: ${error.message}`);
    throw error;
  }
  if (!AK_KEY_ALGORITHMS.has(algorithm)) throw invalid("akPublicKey must be an RSA or EC key");
  return Uint8Array.from(spki);
}

function spkiOf(key: CryptoKey | KeyObject | Uint8Array): Uint8Array<ArrayBuffer> {
  if (key instanceof Uint8Array) return checkedSpki(key);
  const keyObject = key instanceof KeyObject ? key : KeyObject.from(key);
  if (keyObject.type !== "public") throw invalid("akPublicKey must be a public key");
  if (keyKindOf(keyObject) === undefined) throw invalid("akPublicKey must be an RSA or EC key");
  return new Uint8Array(keyObject.export({ type: "spki", format: "der" }));
}

function aikPolicyExtension(): x509.Extension {
  const notice = new UserNotice({ explicitText: new DisplayText({ bmpString: AIK_POLICY_NOTICE }) });
  const policies = new CertificatePolicies([
    new PolicyInformation({
      policyIdentifier: AIK_POLICY_OID,
      policyQualifiers: [new PolicyQualifierInfo({ policyQualifierId: ID_QT_UNOTICE, qualifier: AsnConvert.serialize(notice) })],
    }),
  ]);
  return new x509.Extension(id_ce_certificatePolicies, false, AsnConvert.serialize(policies));
}

/**
 * The request's AK SubjectPublicKeyInfo once its key, dates and serial are checked (not its TPM attributes).
 * @throws PkiError AIK_REQUEST_INVALID
 */
export function checkAikRequestFields(request: Omit<AikCertificateRequest, "issuingCa">): Uint8Array<ArrayBuffer> {
  const spki = spkiOf(request.akPublicKey);
  if (Number.isNaN(request.notBefore.getTime()) || !(request.notAfter > request.notBefore)) {
    throw invalid("notAfter must be a date after notBefore");
  }
  if (request.serialNumber !== undefined && (!SERIAL_HEX.test(request.serialNumber) || /^0+$/.test(request.serialNumber))) {
    throw invalid(`not a positive hex serial of at most 20 octets: ${request.serialNumber}`);
  }
  return spki;
}

/** The request's AK SubjectPublicKeyInfo and TPM subjectAltName, once its fields are checked. */
function checkAikRequest(request: Omit<AikCertificateRequest, "issuingCa">): { spki: Uint8Array<ArrayBuffer>; san: x509.Extension } {
  const spki = checkAikRequestFields(request);
  try {
    return { spki, san: createTpmSubjectAltName(request.tpm) };
  } catch (error) {
    if (error instanceof RangeError) throw invalid(error.message);
    throw error;
  }
}

/**
 * Issues an AIK certificate shaped like Microsoft's AIK service's: empty subject, critical SAN
 * directoryName with the TPM's manufacturer/model/version (as in the EK certificate), EKU
 * tcg-kp-AIKCertificate (2.23.133.8.3), certificatePolicies 1.3.6.1.4.1.311.21.31 with the "TCPA Trusted
 * Platform Identity" notice, basicConstraints CA:FALSE and keyUsage digitalSignature (both critical),
 * AKI, SKI, and AIA caIssuers pointing at the issuing CA on `aik.tpm.apsim.test`.
 * @throws PkiError AIK_REQUEST_INVALID for a non-RSA/EC or private key, bad dates, serial or TPM attributes.
 */
export async function issueAikCertificate(request: AikCertificateRequest): Promise<x509.X509Certificate> {
  const { spki, san } = checkAikRequest(request);
  const { issuingCa } = request;
  const publicKey = new x509.PublicKey(spki);
  return x509.X509CertificateGenerator.create({
    ...(request.serialNumber === undefined ? {} : { serialNumber: request.serialNumber }),
    issuer: issuingCa.certificate.subjectName,
    publicKey,
    signingKey: issuingCa.privateKey,
    notBefore: request.notBefore,
    notAfter: request.notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([TCG_OID.aikCertificate], false),
      aikPolicyExtension(),
      san,
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(await keyIdentifierOf(issuingCa.certificate)),
      new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName("url", issuingCa.aiaUrl) }),
    ],
  });
}

function malformed(message: string, cause?: unknown): PkiError {
  return new PkiError("AIK_CERT_MALFORMED", message, cause === undefined ? undefined : { cause });
}

function profileViolations(certificate: x509.X509Certificate, sanCritical: boolean): string[] {
  const violations: string[] = [];
  if (certificate.subjectName.toArrayBuffer().byteLength !== 2) violations.push("subject is not empty");
  if (!sanCritical) violations.push("subjectAltName is not critical");
  const eku = certificate.getExtension(x509.ExtendedKeyUsageExtension);
  if (!eku?.usages.includes(TCG_OID.aikCertificate)) violations.push("extKeyUsage lacks tcg-kp-AIKCertificate");
  const policies = certificate.getExtension(x509.CertificatePolicyExtension);
  if (!policies?.policies.includes(AIK_POLICY_OID)) violations.push(`certificatePolicies lacks ${AIK_POLICY_OID}`);
  const basic = certificate.getExtension(x509.BasicConstraintsExtension);
  if (basic === null || basic.ca || !basic.critical) violations.push("basicConstraints is not critical CA:FALSE");
  const usage = certificate.getExtension(x509.KeyUsagesExtension);
  if (usage === null || !usage.critical || (usage.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    violations.push("keyUsage is not critical digitalSignature");
  }
  if (certificate.getExtension(x509.AuthorityKeyIdentifierExtension) === null) violations.push("no authorityKeyIdentifier");
  return violations;
}

/**
 * Reads the TPM attributes and AK public key from an AIK certificate (DER or parsed) and lists where it
 * departs from Microsoft's AIK profile. Does not verify the signature or the chain.
 * @throws PkiError AIK_CERT_MALFORMED when it is not a certificate, has no TPM SAN or no RSA/EC key.
 */
export function parseAikCertificate(certificate: Uint8Array | x509.X509Certificate): ParsedAikCertificate {
  let parsed: x509.X509Certificate;
  try {
    parsed = certificate instanceof x509.X509Certificate ? certificate : new x509.X509Certificate(Uint8Array.from(certificate));
  } catch (error) {
    throw malformed("not an X.509 certificate", error);
  }
  const san = parsed.getExtension(id_ce_subjectAltName);
  const tpm = san === null ? undefined : parseTpmSubjectAltName(san.value);
  if (san === null || tpm === undefined) throw malformed("no TPM manufacturer, model and version in subjectAltName");
  const publicKey = createPublicKey({ key: Buffer.from(parsed.publicKey.rawData), format: "der", type: "spki" });
  const kind = keyKindOf(publicKey);
  if (kind === undefined) throw malformed(`unsupported AK key type ${publicKey.asymmetricKeyType ?? "?"}`);
  return {
    tpm,
    kind,
    publicKey,
    issuer: parsed.issuer,
    authorityKeyId: parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId,
    aiaUrl: parsed.getExtension(x509.AuthorityInfoAccessExtension)?.caIssuers.find((name) => name.type === "url")?.value,
    serialNumber: parsed.serialNumber,
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    violations: profileViolations(parsed, san.critical),
  };
}
