/**
 * Where firmware-TPM EK certificates are published, per vendor style. Both the device (which fetches its
 * EK certificate as Windows does) and the service (which fetches it when the device sent none) compute
 * these; the vendor endpoints index certificates by the same identifiers.
 *
 * Intel-style and AMD-style identifiers follow the formats tpm2-tss FAPI implements
 * (src/tss2-fapi/ifapi_get_web_cert.c); the Qualcomm-style one is our own, documented here, because the
 * real service's request format is not public.
 */
import { createHash } from "node:crypto";
import { TPM_ALG, type TPMS_ECC_POINT, type TPMS_RSA_PARMS, type TPMT_PUBLIC } from "../tpm2/index.js";

/** The parts of an EK public key the identifiers hash. */
export type EkPublicKeyParts =
  | { readonly type: "rsa"; readonly modulus: Uint8Array; readonly exponent: number }
  | { readonly type: "ecc"; readonly x: Uint8Array; readonly y: Uint8Array };

/** How a vendor publishes EK certificates online. */
export type EkCertificateServiceStyle = "intel" | "amd" | "qualcomm";

const RSA_DEFAULT_EXPONENT = 0x10001;

function sha256(...parts: Uint8Array[]): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

function uint32(value: number): Uint8Array {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/**
 * Intel-style id: base64url of SHA-256(modulus ‖ 01 00 01) for RSA (x ‖ y for ECC), padding kept and
 * URL-escaped (`=` → `%3D`). Only the default exponent is defined for RSA.
 */
export function intelEkCertificateId(key: EkPublicKeyParts): string {
  const digest =
    key.type === "rsa" ? sha256(key.modulus, Uint8Array.of(0x01, 0x00, 0x01)) : sha256(key.x, key.y);
  const base64url = digest.toString("base64").replaceAll("+", "-").replaceAll("/", "_");
  return base64url.replaceAll("=", "%3D");
}

/**
 * AMD-style id: lowercase hex of the first 16 bytes of SHA-256(00 00 22 22 ‖ exponent (uint32, 0 → 65537)
 * ‖ modulus) for RSA, SHA-256(00 00 44 44 ‖ x ‖ y) for ECC.
 */
export function amdEkCertificateId(key: EkPublicKeyParts): string {
  const digest =
    key.type === "rsa"
      ? sha256(Uint8Array.of(0, 0, 0x22, 0x22), uint32(key.exponent === 0 ? RSA_DEFAULT_EXPONENT : key.exponent), key.modulus)
      : sha256(Uint8Array.of(0, 0, 0x44, 0x44), key.x, key.y);
  return digest.subarray(0, 16).toString("hex");
}

/** Qualcomm-style id (ours): lowercase hex SHA-256 of the same bytes as the Intel id. */
export function qualcommEkCertificateId(key: EkPublicKeyParts): string {
  const digest =
    key.type === "rsa" ? sha256(key.modulus, Uint8Array.of(0x01, 0x00, 0x01)) : sha256(key.x, key.y);
  return digest.toString("hex");
}

/** Path (below the vendor's virtual host) of an EK certificate for each style. */
export function ekCertificatePath(style: EkCertificateServiceStyle, key: EkPublicKeyParts): string {
  switch (style) {
    case "intel":
      return `/ekcertservice/${intelEkCertificateId(key)}`;
    case "amd":
      return `/pki/aia/${amdEkCertificateId(key)}`;
    case "qualcomm":
      return `/EKCertificate/GetEKCertificate/v1/${qualcommEkCertificateId(key)}`;
  }
}

/** The virtual URL of an EK certificate at a vendor's endpoint (resolve with resolveVirtualUrl). */
export function ekCertificateUrl(style: EkCertificateServiceStyle, vendorHost: string, key: EkPublicKeyParts): string {
  return `https://${vendorHost}${ekCertificatePath(style, key)}`;
}

/** Body of an Intel-style answer: `{"pubhash": id, "certificate": base64url DER}`. */
export interface IntelEkCertificateBody {
  readonly pubhash: string;
  readonly certificate: string;
}

/** Decodes the certificate of an Intel-style answer (base64url, with or without padding). */
export function decodeIntelEkCertificateBody(body: unknown): Uint8Array | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const certificate = (body as Record<string, unknown>)["certificate"];
  if (typeof certificate !== "string" || !/^[A-Za-z0-9_\-+/=]+$/.test(certificate)) return undefined;
  const der = Buffer.from(certificate.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  return der.length === 0 ? undefined : der;
}

/** Encodes a DER certificate as an Intel-style answer. */
export function encodeIntelEkCertificateBody(id: string, der: Uint8Array): IntelEkCertificateBody {
  return { pubhash: id, certificate: Buffer.from(der).toString("base64url") };
}

/** The hashed parts of an EK from its TPMT_PUBLIC (Part 2 §12.2.4). */
export function ekPublicKeyParts(pub: TPMT_PUBLIC): EkPublicKeyParts {
  if (pub.type === TPM_ALG.RSA) {
    return { type: "rsa", modulus: pub.unique as Uint8Array, exponent: (pub.parameters as TPMS_RSA_PARMS).exponent };
  }
  if (pub.type === TPM_ALG.ECC) {
    const point = pub.unique as TPMS_ECC_POINT;
    return { type: "ecc", x: point.x, y: point.y };
  }
  throw new RangeError("an EK is an RSA or ECC key");
}
