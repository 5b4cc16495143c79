/**
 * The EK chain's signature checks, remembering what they proved: a CA certificate verified under an issuer
 * stays verified (the same bytes under the same key), and so does a CRL object under its issuer (VendorResources
 * keeps one CRL object until its nextUpdate, then fetches a new one, which is verified again). EK certificates,
 * one per device, are verified every time. Only successes are remembered; a failure is checked again next time.
 */
import type { KeyObject } from "node:crypto";
import { PkiError, certificateFacts, verifyCertificateSignature, x509, type AnyCertificate, type CertificateFacts } from "../certs/index.js";
import { certificateFingerprint, certificatePublicKey } from "./certificate-cache.js";

/** CA-under-issuer links remembered (a few per vendor hierarchy). */
const MAX_REMEMBERED_LINKS = 1024;

/** Certificate and CRL signature checks of one service instance. */
export class SignatureVerifier {
  readonly #verifiedLinks = new Set<string>();
  readonly #verifiedCrls = new WeakMap<x509.X509Crl, Set<string>>();

  /** Whether `issuer`'s key signed `certificate` (over its raw TBS bytes: EK certificates may be non-DER). */
  async certificate(certificate: AnyCertificate, issuer: AnyCertificate): Promise<boolean> {
    let facts: CertificateFacts;
    try {
      facts = certificateFacts(certificate);
    } catch (error) {
      if (error instanceof PkiError) return false;
      throw error;
    }
    const remembered = facts.ca;
    const link = remembered ? `${certificateFingerprint(certificate)}>${certificateFingerprint(issuer)}` : undefined;
    if (link !== undefined && this.#verifiedLinks.has(link)) return true;
    let issuerKey: KeyObject;
    try {
      issuerKey = certificatePublicKey(issuer);
    } catch {
      return false;
    }
    let valid: boolean;
    try {
      valid = await verifyCertificateSignature(facts, issuerKey);
    } catch (error) {
      if (error instanceof PkiError) return false;
      throw error;
    }
    if (valid && link !== undefined) {
      if (this.#verifiedLinks.size >= MAX_REMEMBERED_LINKS) this.#verifiedLinks.delete(this.#verifiedLinks.values().next().value!);
      this.#verifiedLinks.add(link);
    }
    return valid;
  }

  /** Whether `issuer`'s key signed `crl`. */
  async crl(crl: x509.X509Crl, issuer: AnyCertificate): Promise<boolean> {
    const issuerFingerprint = certificateFingerprint(issuer);
    const verified = this.#verifiedCrls.get(crl);
    if (verified?.has(issuerFingerprint) === true) return true;
    let valid: boolean;
    try {
      const publicKey = issuer instanceof x509.X509Certificate ? issuer.publicKey : new x509.PublicKey(Uint8Array.from(issuer.subjectPublicKeyInfo));
      valid = await crl.verify({ publicKey });
    } catch {
      return false;
    }
    if (valid) {
      const issuers = verified ?? new Set<string>();
      issuers.add(issuerFingerprint);
      this.#verifiedCrls.set(crl, issuers);
    }
    return valid;
  }
}
