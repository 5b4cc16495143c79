/**
 * The PKCS#10 request (RFC 2986) of MDM enrollment, shaped as Windows' enrollment client shapes it (MS-MDE2
 * §3.4.4.1.1.1; a captured Windows 10 19043 request): an RSA key, the subject a single CN `<guid>!<DeviceID>\0`
 * written as a PrintableString and cut to 64 characters by shortening the GUID, one requested extension
 * 1.3.6.1.4.1.311.66.1.0 holding the DeviceID NUL-terminated, and a SHA-1 signature under the OIW OID
 * sha1WithRSASignature 1.3.14.3.2.29 (SHA-256 when the enrollment policy asks for it).
 */
import { generateKeyPair, randomUUID, sign, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Attribute, AttributeTypeAndValue, AttributeValue, Extension, Extensions, Name, RelativeDistinguishedName, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";

/** The device's enrollment key pair. */
export interface EnrollmentKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Where enrollment keys come from (fleets pass a pool filled ahead of time). */
export type KeySource = () => Promise<EnrollmentKeyPair>;

const generateKeyPairAsync = promisify(generateKeyPair);
const signAsync = promisify(sign);

/** The default key source: a fresh RSA-2048 key pair, generated off the event loop. */
export const generateRsaKeyPair: KeySource = () => generateKeyPairAsync("rsa", { modulusLength: 2048 });

/** The request's signature digest. */
export type CsrHash = "sha1" | "sha256";

/** Signature algorithm OID of each digest: Windows' legacy OIW OID for SHA-1, PKCS#1's for SHA-256. */
export const CSR_SIGNATURE_OIDS: Readonly<Record<CsrHash, string>> = Object.freeze({
  sha1: "1.3.14.3.2.29",
  sha256: "1.2.840.113549.1.1.11",
});

/** Microsoft's DeviceID request extension. */
export const DEVICE_ID_EXTENSION_OID = "1.3.6.1.4.1.311.66.1.0";
const EXTENSION_REQUEST_OID = "1.2.840.113549.1.9.14";
const COMMON_NAME_OID = "2.5.4.3";
/** X.520 ub-common-name: Windows shortens the GUID so that the whole CN, NUL included, fits. */
const MAX_COMMON_NAME = 64;
const DEVICE_ID = /^[0-9A-Fa-f]{32}$/;

/** What the request is made of. */
export interface WindowsCsrOptions {
  /** Windows' DeviceID: 32 hex digits. */
  readonly deviceId: string;
  /** An RSA key pair. */
  readonly keyPair: EnrollmentKeyPair;
  /** Default sha1, as Windows signs when the policy names no hash. */
  readonly hash?: CsrHash;
  /** The GUID that opens the CN; default a fresh one (upper case, as Windows writes it). */
  readonly requestGuid?: string;
}

/** A built request. */
export interface WindowsCsr {
  readonly der: Buffer;
  /** The subject CN as written, NUL included. */
  readonly commonName: string;
}

/** The CN Windows writes: the GUID cut so that `<guid>!<DeviceID>\0` is at most 64 characters. */
export function windowsCsrCommonName(requestGuid: string, deviceId: string): string {
  const room = MAX_COMMON_NAME - deviceId.length - 2;
  return `${requestGuid.slice(0, Math.max(room, 0))}!${deviceId}\0`;
}

/**
 * Builds and signs the request (the signature runs on node's thread pool).
 * @throws RangeError for a DeviceID that is not 32 hex digits or a key pair that is not RSA.
 */
export async function buildWindowsCsr(options: WindowsCsrOptions): Promise<WindowsCsr> {
  const { deviceId, keyPair } = options;
  if (!DEVICE_ID.test(deviceId)) throw new RangeError("DeviceID must be 32 hex digits");
  if (keyPair.privateKey.asymmetricKeyType !== "rsa" || keyPair.publicKey.asymmetricKeyType !== "rsa") {
    throw new RangeError("Windows enrollment requests carry an RSA key");
  }
  const hash = options.hash ?? "sha1";
  const commonName = windowsCsrCommonName(options.requestGuid ?? randomUUID().toUpperCase(), deviceId);
  const subject = new Name([
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME_OID, value: new AttributeValue({ printableString: commonName }) })]),
  ]);
  const deviceIdExtension = new Extension({ extnID: DEVICE_ID_EXTENSION_OID, extnValue: new OctetString(Buffer.from(`${deviceId}\0`, "latin1")) });
  const info = new CertificationRequestInfo({
    subject,
    subjectPKInfo: AsnConvert.parse(keyPair.publicKey.export({ format: "der", type: "spki" }), SubjectPublicKeyInfo),
    attributes: new Attributes([new Attribute({ type: EXTENSION_REQUEST_OID, values: [AsnConvert.serialize(new Extensions([deviceIdExtension]))] })]),
  });
  const infoDer = Buffer.from(AsnConvert.serialize(info));
  const signature = await signAsync(hash, infoDer, keyPair.privateKey);
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: CSR_SIGNATURE_OIDS[hash], parameters: null }),
    signature: new Uint8Array(signature).buffer,
  });
  return { der: Buffer.from(AsnConvert.serialize(request)), commonName };
}
