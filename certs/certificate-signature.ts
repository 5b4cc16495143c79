/**
 * Signing and verifying X.509 certificates over the exact TBSCertificate bytes they carry. Certificates whose
 * TBSCertificate is not DER (explicit DEFAULT values, as Intel PTT EK certificates have) only verify when the
 * signature is checked over the bytes as received, never over a re-encoding.
 */
import { KeyObject, sign as signCallback, verify as verifyCallback } from "node:crypto";
import { promisify } from "node:util";
import { AsnConvert, AsnProp, AsnPropTypes } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, type TBSCertificate } from "@peculiar/asn1-x509";
import { DER_TAG, DerError, childrenOf, contentsOf, encodeElement, encodingOf, expectTag, oidOf, readSingleElement } from "./der.js";
import { PkiError } from "./errors.js";
import { x509 } from "./x509.js";

const verifyAsync = promisify(verifyCallback);
const signAsync = promisify(signCallback);

/** RFC 5280 §4.1 Certificate, with the TBSCertificate kept as the raw element it is on the wire. */
class RawCertificate {
  tbsCertificate = new ArrayBuffer(0);
  signatureAlgorithm = new AlgorithmIdentifier();
  signatureValue = new ArrayBuffer(0);

  constructor(params: Partial<RawCertificate> = {}) {
    Object.assign(this, params);
  }
}
// asn1-schema's decorators are legacy (experimentalDecorators); applied as calls they need no compiler flag.
AsnProp({ type: AsnPropTypes.Any })(RawCertificate.prototype, "tbsCertificate");
AsnProp({ type: AlgorithmIdentifier })(RawCertificate.prototype, "signatureAlgorithm");
AsnProp({ type: AsnPropTypes.BitString })(RawCertificate.prototype, "signatureValue");

/** Signature algorithms TPM PKIs use (RFC 4055 / RFC 5758), by OID: the digest and whether the key is EC. */
export const SIGNATURE_ALGORITHMS: ReadonlyMap<string, { readonly hash: string; readonly ec: boolean }> = new Map([
  ["1.2.840.113549.1.1.5", { hash: "sha1", ec: false }],
  ["1.2.840.113549.1.1.11", { hash: "sha256", ec: false }],
  ["1.2.840.113549.1.1.12", { hash: "sha384", ec: false }],
  ["1.2.840.113549.1.1.13", { hash: "sha512", ec: false }],
  ["1.2.840.10045.4.1", { hash: "sha1", ec: true }],
  ["1.2.840.10045.4.3.2", { hash: "sha256", ec: true }],
  ["1.2.840.10045.4.3.3", { hash: "sha384", ec: true }],
  ["1.2.840.10045.4.3.4", { hash: "sha512", ec: true }],
]);

/** The WebCrypto parameters a CA key signs with: its own algorithm and SHA-256. */
function signingParameters(signingKey: CryptoKey): Algorithm & { hash: string } {
  return { hash: "SHA-256", ...signingKey.algorithm };
}

/** AlgorithmIdentifier of the signature a CA key makes (sha256WithRSAEncryption or ecdsa-with-SHA256). */
export function signatureAlgorithmOf(signingKey: CryptoKey): AlgorithmIdentifier {
  return new x509.AlgorithmProvider().toAsnAlgorithm(signingParameters(signingKey));
}

/**
 * Signs a TBSCertificate and returns the DER-framed certificate whose signature covers exactly the
 * TBSCertificate bytes it carries. Sets `tbs.signature` from the key. The TBSCertificate is serialized with
 * asn1-schema as declared, so classes that encode DEFAULT values explicitly stay non-DER on purpose.
 */
export async function signTbsCertificate(tbs: TBSCertificate, signingKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const algorithm = signingParameters(signingKey);
  tbs.signature = signatureAlgorithmOf(signingKey);
  const tbsBytes = AsnConvert.serialize(tbs);
  const signature = await globalThis.crypto.subtle.sign(algorithm, signingKey, tbsBytes);
  const signatureValue =
    new x509.AsnEcSignatureFormatter().toAsnSignature(algorithm, signature) ??
    new x509.AsnDefaultSignatureFormatter().toAsnSignature(algorithm, signature);
  if (signatureValue === null) throw new PkiError("UNSUPPORTED_ALGORITHM", `cannot sign with ${algorithm.name}`);
  const certificate = new RawCertificate({ tbsCertificate: tbsBytes, signatureAlgorithm: tbs.signature, signatureValue });
  return new Uint8Array(AsnConvert.serialize(certificate));
}

/** Signs TBSCertificate bytes as they are and frames the certificate; see {@link createTbsSigner}. */
export type TbsSigner = (tbs: Uint8Array) => Promise<Uint8Array<ArrayBuffer>>;

/**
 * A signer for TBSCertificates already encoded (templated issuers splice them): node:crypto's asynchronous sign with
 * the CA key imported once, then the Certificate SEQUENCE around the bytes as given. Makes what signTbsCertificate
 * makes for the same TBS bytes (RSA PKCS#1 v1.5 is deterministic; an ECDSA signature is DER Ecdsa-Sig-Value either
 * way). The TBS bytes must name the key's signature algorithm (signatureAlgorithmOf).
 * @throws PkiError UNSUPPORTED_ALGORITHM for a key that is neither RSASSA-PKCS1-v1_5 nor ECDSA.
 */
export function createTbsSigner(signingKey: CryptoKey): TbsSigner {
  const parameters = signingParameters(signingKey);
  const identifier = signatureAlgorithmOf(signingKey);
  const algorithm = SIGNATURE_ALGORITHMS.get(identifier.algorithm);
  if (algorithm === undefined || !["RSASSA-PKCS1-v1_5", "ECDSA"].includes(parameters.name)) {
    throw new PkiError("UNSUPPORTED_ALGORITHM", `cannot sign with ${parameters.name}`);
  }
  const algorithmIdentifier = new Uint8Array(AsnConvert.serialize(identifier));
  const key = KeyObject.from(signingKey);
  const unusedBits = Uint8Array.of(0);
  return async (tbs) => {
    const signature = await signAsync(algorithm.hash, tbs, algorithm.ec ? { key, dsaEncoding: "der" } : key);
    const certificate = encodeElement(DER_TAG.sequence, tbs, algorithmIdentifier, encodeElement(DER_TAG.bitString, unusedBits, signature));
    return new Uint8Array(certificate.buffer as ArrayBuffer, certificate.byteOffset, certificate.byteLength);
  };
}

async function toKeyObject(key: KeyObject | CryptoKey | x509.PublicKey): Promise<KeyObject> {
  if (key instanceof KeyObject) return key;
  if (key instanceof x509.PublicKey) return KeyObject.from(await key.export());
  return KeyObject.from(key);
}

/** The signed parts of a certificate: its TBSCertificate as encoded, the signature algorithm OID and the signature. */
interface SignedParts {
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

/** RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }. */
function signedPartsOf(der: Uint8Array): SignedParts {
  try {
    const [tbs, algorithm, signature, extra] = childrenOf(expectTag(readSingleElement(der), DER_TAG.sequence, "Certificate"));
    if (extra !== undefined) throw new DerError("Certificate: trailing elements");
    const [oid] = childrenOf(expectTag(algorithm, DER_TAG.sequence, "signatureAlgorithm"));
    const bits = contentsOf(expectTag(signature, DER_TAG.bitString, "signatureValue"));
    if (bits.length === 0) throw new DerError("empty signatureValue");
    return {
      tbs: encodingOf(expectTag(tbs, DER_TAG.sequence, "tbsCertificate")),
      signatureAlgorithm: oidOf(expectTag(oid, DER_TAG.oid, "signatureAlgorithm")),
      signature: bits.subarray(1),
    };
  } catch (error) {
    throw new PkiError("CERT_MALFORMED", "not an X.509 certificate", { cause: error });
  }
}

/**
 * Verifies a certificate's signature with its issuer's public key over the raw TBSCertificate bytes taken
 * from the DER, so certificates with non-DER TBS encodings (Intel PTT EK certificates) verify as they were
 * signed. Accepts RSA PKCS#1 v1.5 and ECDSA with SHA-1/256/384/512. Checks neither validity dates nor names.
 * `certificate` is the DER, or its parts as readCertificate read them.
 * @throws PkiError CERT_MALFORMED when `der` is not a certificate, UNSUPPORTED_ALGORITHM for other signatures.
 */
export async function verifyCertificateSignature(
  certificate: Uint8Array | SignedParts,
  issuerPublicKey: KeyObject | CryptoKey | x509.PublicKey,
): Promise<boolean> {
  const parts = certificate instanceof Uint8Array ? signedPartsOf(certificate) : certificate;
  const oid = parts.signatureAlgorithm;
  const algorithm = SIGNATURE_ALGORITHMS.get(oid);
  if (algorithm === undefined) throw new PkiError("UNSUPPORTED_ALGORITHM", `unsupported signature algorithm ${oid}`);
  const key = await toKeyObject(issuerPublicKey);
  if ((key.asymmetricKeyType === "ec") !== algorithm.ec) return false;
  try {
    return await verifyAsync(algorithm.hash, parts.tbs, { key, dsaEncoding: "der" }, parts.signature);
  } catch {
    return false;
  }
}
