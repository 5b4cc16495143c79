/**
 * Builds PKCS#10 requests by hand, as Windows' enrollment client does: RSA signed with SHA-1 under the OIW OID
 * 1.3.14.3.2.29 (which X.509 libraries cannot produce), a `<guid>!<DeviceID>\0` CN and the DeviceID extension.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { DER_TAG, encodeElement, encodeOid } from "../../certs/der.js";

/** What a hand-built request holds. */
export interface CsrOptions {
  readonly commonName: string;
  readonly deviceId?: string;
  /** Signature algorithm OID; default the OIW sha1WithRSASignature Windows uses. */
  readonly signatureOid?: string;
  /** Digest matching the OID; default sha1. */
  readonly hash?: string;
  /** Key that signs (default: the request's own key; another key makes a request not signed by its key). */
  readonly signingKey?: KeyObject;
}

/** A request and its key pair. */
export interface BuiltCsr {
  readonly der: Buffer;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

const RSA_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 });

/** One RSA-2048 key shared by every request of a test run (key generation costs ~100 ms). */
export function sharedRsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return RSA_KEY;
}

/** A PKCS#10 request for `key` (default the shared RSA key). */
export function buildCsr(options: CsrOptions, key = RSA_KEY): BuiltCsr {
  const cn = encodeElement(
    DER_TAG.sequence,
    encodeElement(
      DER_TAG.set,
      encodeElement(DER_TAG.sequence, encodeOid("2.5.4.3"), encodeElement(DER_TAG.printableString, Buffer.from(options.commonName, "latin1"))),
    ),
  );
  const spki = key.publicKey.export({ format: "der", type: "spki" });
  const attributes: Uint8Array[] = [];
  if (options.deviceId !== undefined) {
    const extension = encodeElement(
      DER_TAG.sequence,
      encodeOid("1.3.6.1.4.1.311.66.1.0"),
      encodeElement(DER_TAG.octetString, Buffer.from(`${options.deviceId}\0`, "latin1")),
    );
    attributes.push(
      encodeElement(
        DER_TAG.sequence,
        encodeOid("1.2.840.113549.1.9.14"),
        encodeElement(DER_TAG.set, encodeElement(DER_TAG.sequence, extension)),
      ),
    );
  }
  const info = encodeElement(DER_TAG.sequence, encodeElement(DER_TAG.integer, Uint8Array.of(0)), cn, spki, encodeElement(0xa0, ...attributes));
  const signature = sign(options.hash ?? "sha1", info, options.signingKey ?? key.privateKey);
  const algorithm = encodeElement(DER_TAG.sequence, encodeOid(options.signatureOid ?? "1.3.14.3.2.29"), encodeElement(DER_TAG.null));
  const der = encodeElement(DER_TAG.sequence, info, algorithm, encodeElement(DER_TAG.bitString, Uint8Array.of(0), signature));
  return { der: Buffer.from(der), privateKey: key.privateKey, publicKey: key.publicKey };
}

/** The base64 CSR inside the captured Windows 10 19043 enrollment request. */
export function fixtureCsr(enrollmentRequestXml: string): Buffer {
  const match = /#PKCS10"[^>]*>([^<]+)</.exec(enrollmentRequestXml);
  if (match === null) throw new Error("no PKCS#10 in the fixture");
  return Buffer.from(match[1]!, "base64");
}
