import { stat } from "node:fs/promises";
import path from "node:path";
import {
  issueCrl,
  issueExpiredCopy,
  loadVendorPki,
  revokedSerials,
  type VendorCa,
  type VendorPki,
  type VendorPkiIdentity,
} from "../../certs/index.js";
import type { Clock } from "../../lib/index.js";
import type { VendorFaultController } from "./fault-controller.js";

/** A CRL the endpoint serves is valid for a day from the moment it was made. */
export const VENDOR_CRL_VALIDITY_MS = 24 * 60 * 60 * 1000;
/** A CRL is re-signed at most once a minute of service time unless the revocations change. */
const CRL_REISSUE_MS = 60 * 1000;

interface CachedCrl {
  readonly madeAt: number;
  /** The revocations it lists: revoked-serials.txt's size and mtime, and the fault serials. */
  readonly revocations: string;
  readonly der: Promise<Uint8Array>;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/**
 * The CA certificates and CRLs one vendor publishes at its CAs' AIA and CRL URLs (`<name>.crt`, `<name>.crl`).
 * CRLs are signed by the CA they belong to with the service clock as thisUpdate; an issuing CA lists the
 * vendor's revoked-serials.txt and the `revoked:SERIAL` faults, a root the fault serials only (it issued no
 * EK certificates). Under `expired-ca` the issuing CAs' certificates are expired copies.
 */
export class VendorCaDocuments {
  readonly #home: string;
  readonly #vendor: VendorPkiIdentity;
  readonly #clock: Clock;
  readonly #faults: VendorFaultController;
  #pki: Promise<VendorPki> | undefined;
  readonly #crls = new Map<string, CachedCrl>();
  readonly #expiredCopies = new Map<string, Promise<Uint8Array>>();

  constructor(home: string, vendor: VendorPkiIdentity, clock: Clock, faults: VendorFaultController) {
    this.#home = home;
    this.#vendor = vendor;
    this.#clock = clock;
    this.#faults = faults;
    faults.onChange((code) => {
      if (code !== vendor.code) return;
      this.#crls.clear();
      this.#expiredCopies.clear();
    });
  }

  /** The vendor's PKI, created on first use; a failed load is retried by the next request. */
  pki(): Promise<VendorPki> {
    this.#pki ??= loadVendorPki(this.#home, this.#vendor.code).catch((error: unknown) => {
      this.#pki = undefined;
      throw error;
    });
    return this.#pki;
  }

  async #ca(name: string): Promise<VendorCa | undefined> {
    const pki = await this.pki();
    return [...pki.roots, ...pki.issuingCas].find((ca) => ca.name === name);
  }

  /** DER of the certificate of CA `name`, or undefined when the vendor has no such CA. */
  async certificate(name: string): Promise<Uint8Array | undefined> {
    const ca = await this.#ca(name);
    if (ca === undefined) return undefined;
    if (ca.role === "issuing" && this.#faults.servesExpiredCas(this.#vendor.code)) return this.#expiredCopy(ca);
    return new Uint8Array(ca.certificate.rawData);
  }

  #expiredCopy(ca: VendorCa): Promise<Uint8Array> {
    let copy = this.#expiredCopies.get(ca.name);
    if (copy === undefined) {
      copy = issueExpiredCopy(ca, new Date(this.#clock.now())).then((certificate) => new Uint8Array(certificate.rawData));
      copy.catch(() => this.#expiredCopies.delete(ca.name));
      this.#expiredCopies.set(ca.name, copy);
    }
    return copy;
  }

  /** DER of the current CRL of CA `name`, or undefined when the vendor has no such CA. */
  async crl(name: string): Promise<Uint8Array | undefined> {
    const ca = await this.#ca(name);
    if (ca === undefined) return undefined;
    const now = this.#clock.now();
    const faultSerials = this.#faults.revokedSerials(this.#vendor.code);
    const revocations = `${ca.role === "issuing" ? await this.#revocationFileStamp() : "-"}|${faultSerials.join(",")}`;
    const cached = this.#crls.get(name);
    if (cached !== undefined && cached.revocations === revocations && now >= cached.madeAt && now - cached.madeAt < CRL_REISSUE_MS) {
      return cached.der;
    }
    const serials = ca.role === "issuing" ? [...revokedSerials(this.#home, this.#vendor.code), ...faultSerials] : faultSerials;
    const der = issueCrl(ca, [...new Set(serials)].sort(), new Date(now), new Date(now + VENDOR_CRL_VALIDITY_MS));
    der.catch(() => this.#crls.delete(name));
    this.#crls.set(name, { madeAt: now, revocations, der });
    return der;
  }

  /** Changes whenever revoked-serials.txt does (lines are only ever appended). */
  async #revocationFileStamp(): Promise<string> {
    try {
      const info = await stat(path.join(this.#home, "pki", "vendors", this.#vendor.code, "revoked-serials.txt"));
      return `${info.size}@${info.mtimeMs}`;
    } catch (error) {
      if (errorCode(error) === "ENOENT") return "none";
      throw error;
    }
  }
}
