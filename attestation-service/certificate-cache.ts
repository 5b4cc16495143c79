/**
 * CA certificates as the service meets them again and again (the intermediates every device of a vendor sends,
 * the EK issuer a session keeps): parsed once per service instance, by the SHA-256 of their DER, with each
 * certificate's public key as a node:crypto KeyObject. Parsing with @peculiar/x509 (ASN.1 schema, extensions)
 * costs far more than the signature checks it feeds (DESIGN.md "Performance model": parsed certificates are cached).
 */
import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { certificateFacts, x509, type AnyCertificate } from "../certs/index.js";

/** CA certificates kept parsed (vendors have a handful of CAs each; devices may send others). */
const MAX_CACHED_CERTIFICATES = 512;

const fingerprints = new WeakMap<AnyCertificate, string>();
const publicKeys = new WeakMap<AnyCertificate, KeyObject>();

/** Hex SHA-256 of a DER encoding. */
export function derFingerprint(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex");
}

/** Hex SHA-256 of a certificate's DER, computed once per certificate object. */
export function certificateFingerprint(certificate: AnyCertificate): string {
  let fingerprint = fingerprints.get(certificate);
  if (fingerprint === undefined) {
    fingerprint = derFingerprint(certificate instanceof x509.X509Certificate ? new Uint8Array(certificate.rawData) : certificate.der);
    fingerprints.set(certificate, fingerprint);
  }
  return fingerprint;
}

/**
 * A certificate's SubjectPublicKeyInfo as a KeyObject, imported once per certificate object.
 * @throws when the key is not one node:crypto can import.
 */
export function certificatePublicKey(certificate: AnyCertificate): KeyObject {
  let key = publicKeys.get(certificate);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(certificateFacts(certificate).subjectPublicKeyInfo), format: "der", type: "spki" });
    publicKeys.set(certificate, key);
  }
  return key;
}

/** Parsed CA certificates by DER fingerprint, bounded (the oldest entry goes first). */
export class CertificateCache {
  readonly #byFingerprint = new Map<string, x509.X509Certificate>();

  /**
   * The certificate whose DER is `der`: the same object for the same bytes while it is cached.
   * @throws what x509.X509Certificate throws for bytes that are not a certificate (never cached).
   */
  parse(der: Uint8Array): x509.X509Certificate {
    const fingerprint = derFingerprint(der);
    const cached = this.#byFingerprint.get(fingerprint);
    if (cached !== undefined) return cached;
    const certificate = new x509.X509Certificate(Uint8Array.from(der));
    fingerprints.set(certificate, fingerprint);
    if (this.#byFingerprint.size >= MAX_CACHED_CERTIFICATES) this.#byFingerprint.delete(this.#byFingerprint.keys().next().value!);
    this.#byFingerprint.set(fingerprint, certificate);
    return certificate;
  }
}
