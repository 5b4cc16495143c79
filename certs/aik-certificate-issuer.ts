/**
 * The service's AIK certificate issuer: issueAikCertificate makes one prototype per issuing CA, and every
 * certificate after it is the prototype's TBSCertificate bytes with the per-AK fields spliced in (serial, validity,
 * public key, subjectAltName, subjectKeyIdentifier), signed with node:crypto. The profile stays defined once, in
 * issueAikCertificate, while each certificate costs about its RSA signature: no generator, no schema serializer.
 */
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Validity } from "@peculiar/asn1-x509";
import { checkAikRequestFields, issueAikCertificate, type AikCertificateRequest } from "./aik-certificate.js";
import type { AikCa } from "./aik-pki.js";
import { createTbsSigner } from "./certificate-signature.js";
import {
  DER_TAG,
  childrenOf,
  contentsOf,
  encodeElement,
  encodeOid,
  encodeUtcTime,
  encodingOf,
  expectTag,
  oidOf,
  readSingleElement,
} from "./der.js";
import { PkiError } from "./errors.js";
import { TCG_OID, formatTpmId, type TpmDeviceAttributes } from "./tcg-extensions.js";

/** Issues AIK certificates under one issuing CA; see {@link createAikCertificateIssuer}. */
export interface AikCertificateIssuer {
  /**
   * DER of a new AIK certificate, byte for byte what issueAikCertificate issues for the same request.
   * @throws PkiError AIK_REQUEST_INVALID as issueAikCertificate does.
   */
  issue(request: Omit<AikCertificateRequest, "issuingCa">): Promise<Uint8Array<ArrayBuffer>>;
}

/** The TPM a prototype certificate names (replaced in every certificate issued from it). */
const PROTOTYPE_TPM: TpmDeviceAttributes = { manufacturerId: 0x49465800, model: "prototype", version: 0x00010000 };

const ID_CE_SUBJECT_ALT_NAME = "2.5.29.17";
const ID_CE_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
/** STRMAX of the TCG ASN.1 module: the longest tpmModel. */
const STRMAX = 256;
const TAG_VERSION = 0xa0;
const TAG_EXTENSIONS = 0xa3;
/** GeneralName directoryName: [4] EXPLICIT Name. */
const TAG_DIRECTORY_NAME = 0xa4;
const DER_TRUE = encodeElement(DER_TAG.boolean, Uint8Array.of(0xff));
const SAN_OID = encodeOid(ID_CE_SUBJECT_ALT_NAME);
const SKI_OID = encodeOid(ID_CE_SUBJECT_KEY_IDENTIFIER);
const TPM_ATTRIBUTE_OIDS = [TCG_OID.tpmManufacturer, TCG_OID.tpmModel, TCG_OID.tpmVersion].map(encodeOid);

function invalid(message: string): PkiError {
  return new PkiError("AIK_REQUEST_INVALID", message);
}

/** RFC 5280 §4.1.2.2 INTEGER of a hex serial (16 random octets when absent), as @peculiar/x509's generator makes it. */
function serialElement(serialHex: string | undefined): Uint8Array {
  let octets: Uint8Array = serialHex === undefined ? randomBytes(16) : Buffer.from(serialHex.length % 2 === 0 ? serialHex : `0${serialHex}`, "hex");
  let first = 0;
  while (first < octets.length - 1 && octets[first] === 0) first++;
  octets = octets.subarray(first);
  return octets[0]! > 0x7f ? encodeElement(DER_TAG.integer, Uint8Array.of(0), octets) : encodeElement(DER_TAG.integer, octets);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime after (as asn1-schema's Time chooses). */
function validityElement(notBefore: Date, notAfter: Date): Uint8Array {
  const utc = (date: Date) => date.getUTCFullYear() >= 1950 && date.getUTCFullYear() <= 2049;
  if (utc(notBefore) && utc(notAfter)) return encodeElement(DER_TAG.sequence, encodeUtcTime(notBefore), encodeUtcTime(notAfter));
  return new Uint8Array(AsnConvert.serialize(new Validity({ notBefore, notAfter })));
}

/**
 * EK Credential Profile subjectAltName, critical, as createTpmSubjectAltName encodes it: one directoryName with
 * an RDN per attribute, each a UTF8String.
 */
function tpmSubjectAltNameExtension(tpm: TpmDeviceAttributes): Uint8Array {
  let values: string[];
  try {
    values = [formatTpmId(tpm.manufacturerId), tpm.model, formatTpmId(tpm.version)];
  } catch (error) {
    if (error instanceof RangeError) throw invalid(error.message);
    throw error;
  }
  if (tpm.model.length === 0 || Buffer.byteLength(tpm.model, "utf8") > STRMAX) throw invalid(`tpmModel must be 1..${STRMAX} bytes`);
  const rdns = values.map((value, index) =>
    encodeElement(DER_TAG.set, encodeElement(DER_TAG.sequence, TPM_ATTRIBUTE_OIDS[index]!, encodeElement(DER_TAG.utf8String, Buffer.from(value, "utf8")))),
  );
  const generalNames = encodeElement(DER_TAG.sequence, encodeElement(TAG_DIRECTORY_NAME, encodeElement(DER_TAG.sequence, ...rdns)));
  return encodeElement(DER_TAG.sequence, SAN_OID, DER_TRUE, encodeElement(DER_TAG.octetString, generalNames));
}

/** RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT STRING's value, as an SKI extension. */
function subjectKeyIdentifierExtension(spki: Uint8Array): Uint8Array {
  const [, subjectPublicKey] = childrenOf(expectTag(readSingleElement(spki), DER_TAG.sequence, "subjectPublicKeyInfo"));
  const keyBits = contentsOf(expectTag(subjectPublicKey, DER_TAG.bitString, "subjectPublicKey")).subarray(1);
  const keyId = createHash("sha1").update(keyBits).digest();
  return encodeElement(DER_TAG.sequence, SKI_OID, encodeElement(DER_TAG.octetString, encodeElement(DER_TAG.octetString, keyId)));
}

/** The prototype TBSCertificate cut where the per-AK fields go. */
interface TbsTemplate {
  readonly version: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  /** Each extension's encoding, or which per-AK extension goes in its place. */
  readonly extensions: readonly (Uint8Array | "san" | "ski")[];
}

function templateOf(prototypeDer: Uint8Array): TbsTemplate {
  const [tbs] = childrenOf(readSingleElement(prototypeDer));
  const [version, , signature, issuer, , subject, , extensions] = childrenOf(expectTag(tbs, DER_TAG.sequence, "tbsCertificate"));
  const [list] = childrenOf(expectTag(extensions, TAG_EXTENSIONS, "extensions"));
  return {
    version: encodingOf(expectTag(version, TAG_VERSION, "version")),
    signature: encodingOf(expectTag(signature, DER_TAG.sequence, "signature")),
    issuer: encodingOf(expectTag(issuer, DER_TAG.sequence, "issuer")),
    subject: encodingOf(expectTag(subject, DER_TAG.sequence, "subject")),
    extensions: childrenOf(expectTag(list, DER_TAG.sequence, "extensions")).map((extension) => {
      const oid = oidOf(childrenOf(extension)[0]!);
      if (oid === ID_CE_SUBJECT_ALT_NAME) return "san";
      if (oid === ID_CE_SUBJECT_KEY_IDENTIFIER) return "ski";
      return encodingOf(extension);
    }),
  };
}

/**
 * An issuer of many AIK certificates under `issuingCa` (a service's): each certificate is issueAikCertificate's
 * prototype TBSCertificate with the per-AK fields replaced, byte for byte what issueAikCertificate would make for the
 * same request, signed with the CA key through node:crypto.
 */
export async function createAikCertificateIssuer(issuingCa: AikCa): Promise<AikCertificateIssuer> {
  const prototype = await issueAikCertificate({
    issuingCa,
    akPublicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey,
    tpm: PROTOTYPE_TPM,
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2021-01-01T00:00:00Z"),
  });
  const template = templateOf(new Uint8Array(prototype.rawData));
  const sign = createTbsSigner(issuingCa.privateKey);
  return {
    async issue(request) {
      const spki = checkAikRequestFields(request);
      const perAk = { san: tpmSubjectAltNameExtension(request.tpm), ski: subjectKeyIdentifierExtension(spki) };
      const extensions = template.extensions.map((extension) => (typeof extension === "string" ? perAk[extension] : extension));
      const tbs = encodeElement(
        DER_TAG.sequence,
        template.version,
        serialElement(request.serialNumber),
        template.signature,
        template.issuer,
        validityElement(request.notBefore, request.notAfter),
        template.subject,
        spki,
        encodeElement(TAG_EXTENSIONS, encodeElement(DER_TAG.sequence, ...extensions)),
      );
      return sign(tbs);
    },
  };
}
