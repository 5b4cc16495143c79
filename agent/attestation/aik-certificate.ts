/**
 * Step 9: the device checks what it was given before keeping it — the AIK certificate certifies this AK,
 * is an AIK certificate (EKU tcg-kp-AIKCertificate 2.23.133.8.3), and its signatures chain through the
 * certificates the service sent up to a self-signed one.
 */
import { X509Certificate, createPublicKey, verify, type KeyObject } from "node:crypto";
import {
  RSA_DEFAULT_EXPONENT,
  TPM_ALG,
  eccCurveInfo,
  eccPointFromKey,
  fixedLength,
  rsaModulusFromKey,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
  type TPMS_RSA_PARMS,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import type { CertificateCache } from "./certificate-cache.js";
import { CertificateFormatError, mayHaveIssued, readSignedCertificate, type SignedCertificateFields } from "./certificate-fields.js";
import { AttestationFailure } from "./outcome.js";

/** tcg-kp-AIKCertificate. */
export const AIK_CERTIFICATE_EKU = "2.23.133.8.3";
/** Its DER contents octets. */
const AIK_CERTIFICATE_EKU_OID = Buffer.from("6781050803", "hex");

/** Signature algorithms by DER OID contents: sha*WithRSAEncryption (RFC 4055) and ecdsa-with-SHA* (RFC 5758). */
const SIGNATURE_HASHES: ReadonlyMap<string, string> = new Map([
  ["2a864886f70d01010b", "sha256"],
  ["2a864886f70d01010c", "sha384"],
  ["2a864886f70d01010d", "sha512"],
  ["2a8648ce3d040302", "sha256"],
  ["2a8648ce3d040303", "sha384"],
  ["2a8648ce3d040304", "sha512"],
]);

/** SubjectPublicKeyInfo up to the point's octets, per TPM curve: id-ecPublicKey with the named curve (RFC 5480). */
const EC_SPKI_PREFIXES: ReadonlyMap<number, Buffer> = new Map([
  [0x0003, Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex")],
  [0x0004, Buffer.from("3076301006072a8648ce3d020106052b81040022036200", "hex")],
  [0x0005, Buffer.from("30819b301006072a8648ce3d020106052b8104002303818600", "hex")],
]);

/** keyCertSign (RFC 5280 §4.2.1.3 bit 5) in {@link SignedCertificateFields.keyUsage}. */
const KEY_CERT_SIGN = 0x8000 >> 5;

function invalid(detail: string): AttestationFailure {
  return AttestationFailure.of("AIK_CERT_INVALID", detail);
}

function parse(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw AttestationFailure.of("AIK_CERT_INVALID", `${what} does not parse: ${(error as Error).message}`, error);
  }
}

/** Big-endian integer octets without leading zeros. */
function unpadded(value: Uint8Array): Buffer {
  let i = 0;
  while (i < value.length - 1 && value[i] === 0) i++;
  return Buffer.from(value.subarray(i));
}

/** Whether `key` is the AK's public key (compared as numbers through the key's JWK, which costs microseconds). */
function certifiesKey(key: KeyObject, ak: TPMT_PUBLIC): boolean {
  try {
    if (ak.type === TPM_ALG.RSA && key.asymmetricKeyType === "rsa") {
      const { modulus, exponent } = rsaModulusFromKey(key);
      const akExponent = (ak.parameters as TPMS_RSA_PARMS).exponent;
      return modulus.equals(unpadded(ak.unique as Uint8Array)) && exponent === (akExponent === RSA_DEFAULT_EXPONENT ? 0 : akExponent);
    }
    if (ak.type === TPM_ALG.ECC && key.asymmetricKeyType === "ec") {
      const point = eccPointFromKey(key);
      const curve = eccCurveInfo((ak.parameters as TPMS_ECC_PARMS).curveID);
      const { x, y } = ak.unique as TPMS_ECC_POINT;
      return point.curveId === curve.curveId && point.x.equals(fixedLength(x, curve.byteLength) ?? Buffer.alloc(0)) && point.y.equals(fixedLength(y, curve.byteLength) ?? Buffer.alloc(0));
    }
    return false;
  } catch {
    return false;
  }
}

function describe(certificate: X509Certificate): string {
  return certificate.subject.replaceAll("\n", ", ");
}

/**
 * Verifies the chain the service sent, each certificate signed by the next up to a self-signed top, and
 * returns its first certificate (the one that must have signed the AIK certificate).
 */
function verifyChain(chain: readonly Uint8Array[]): X509Certificate {
  const path = chain.map((der, i) => parse(der, `chain certificate ${i + 1}`));
  for (let i = 0; i + 1 < path.length; i++) {
    const [subject, issuer] = [path[i]!, path[i + 1]!];
    if (!subject.checkIssued(issuer) || !subject.verify(issuer.publicKey)) {
      throw invalid(`certificate ${i + 1} of the chain is not signed by the next (${describe(issuer)})`);
    }
  }
  const top = path.at(-1)!;
  if (top.checkIssued(top) && !top.verify(top.publicKey)) throw invalid("the root's self-signature does not verify");
  return path[0]!;
}

/** The issuing CA as the leaf check needs it, made once per verified chain. */
interface IssuerFacts {
  readonly fields: SignedCertificateFields;
  readonly publicKey: KeyObject;
}

const issuerFactsOf = new WeakMap<X509Certificate, IssuerFacts>();

function issuerFacts(issuer: X509Certificate): IssuerFacts {
  let facts = issuerFactsOf.get(issuer);
  if (facts === undefined) {
    facts = { fields: readSignedCertificate(issuer.raw), publicKey: issuer.publicKey };
    issuerFactsOf.set(issuer, facts);
  }
  return facts;
}

/** Whether the certificate's SubjectPublicKeyInfo is the AK's: as bytes for an ECC key, else through a KeyObject. */
function spkiCertifiesKey(spki: Buffer, ak: TPMT_PUBLIC): boolean {
  if (ak.type === TPM_ALG.ECC) {
    const curveId = (ak.parameters as TPMS_ECC_PARMS).curveID;
    const prefix = EC_SPKI_PREFIXES.get(curveId);
    const { x, y } = ak.unique as TPMS_ECC_POINT;
    if (prefix !== undefined) {
      const size = eccCurveInfo(curveId).byteLength;
      const [fx, fy] = [fixedLength(x, size), fixedLength(y, size)];
      if (fx !== null && fy !== null && spki.equals(Buffer.concat([prefix, Buffer.of(0x04), fx, fy]))) return true;
    }
  }
  try {
    return certifiesKey(createPublicKey({ key: spki, format: "der", type: "spki" }), ak);
  } catch {
    return false;
  }
}

/**
 * The checks node:crypto's checkIssued and verify make of a leaf under its issuer (OpenSSL's X509_check_issued:
 * names and key identifiers agree, the issuer may sign certificates; X509_verify: the two signature algorithm fields
 * agree and the issuer's key signed the tbsCertificate), read from the DER without building an X509Certificate.
 * Undefined for a signature algorithm this reader does not know (the caller asks node:crypto).
 */
function issuedBy(leaf: SignedCertificateFields, issuer: IssuerFacts): boolean | undefined {
  const hash = SIGNATURE_HASHES.get(leaf.signatureAlgorithmOid.toString("hex"));
  if (hash === undefined) return undefined;
  if (!mayHaveIssued(issuer.fields, leaf)) return false;
  if (issuer.fields.keyUsage !== undefined && (issuer.fields.keyUsage & KEY_CERT_SIGN) === 0) return false;
  if (!leaf.signatureAlgorithm.equals(leaf.tbsSignatureAlgorithm)) return false;
  try {
    return verify(hash, leaf.tbsCertificate, issuer.publicKey, leaf.signature);
  } catch {
    return false;
  }
}

/** PEM of a DER certificate (RFC 7468 §5: base64 in lines of 64). */
function toPem(der: Uint8Array): string {
  const lines = Buffer.from(der).toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/**
 * Verifies the AIK certificate and returns it as PEM. With a `cache`, a chain already verified is not verified
 * again (it is keyed by its exact bytes); the AIK certificate's own signature is always checked. The AIK certificate,
 * one per attestation, is read from its DER (building a node:crypto X509Certificate for it cost the device more than
 * its signature check); a signature algorithm that reader does not know is left to node:crypto.
 * @throws AttestationFailure AIK_CERT_INVALID naming the first check that failed.
 */
export function verifyAikCertificate(
  akPublic: TPMT_PUBLIC,
  certificate: Uint8Array,
  chain: readonly Uint8Array[],
  cache?: CertificateCache,
): string {
  let leaf: SignedCertificateFields;
  try {
    leaf = readSignedCertificate(certificate);
  } catch (error) {
    if (!(error instanceof CertificateFormatError)) throw error;
    throw AttestationFailure.of("AIK_CERT_INVALID", `the AIK certificate does not parse: ${error.message}`, error);
  }
  if (!spkiCertifiesKey(leaf.subjectPublicKeyInfo, akPublic)) throw invalid("the AIK certificate certifies another key than the AK");
  if (!(leaf.extendedKeyUsage ?? []).some((purpose) => purpose.equals(AIK_CERTIFICATE_EKU_OID))) {
    throw invalid(`the AIK certificate lacks EKU ${AIK_CERTIFICATE_EKU}`);
  }
  if (chain.length === 0) throw invalid("the service sent no certificate chain");
  const issuer = cache === undefined ? verifyChain(chain) : cache.verifiedChain(chain, verifyChain);
  let signed: boolean | undefined;
  try {
    signed = issuedBy(leaf, issuerFacts(issuer));
  } catch (error) {
    if (!(error instanceof CertificateFormatError)) throw error;
  }
  if (signed === undefined) {
    const parsed = parse(certificate, "the AIK certificate");
    signed = parsed.checkIssued(issuer) && parsed.verify(issuer.publicKey);
  }
  if (!signed) throw invalid(`certificate 0 of the chain is not signed by the next (${describe(issuer)})`);
  return toPem(certificate);
}
