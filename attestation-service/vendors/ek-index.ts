import type { KeyObject } from "node:crypto";
import { listPublishedEkCertificates, type PublishedEkCertificate, type VendorCode } from "../../certs/index.js";
import {
  amdEkCertificateId,
  intelEkCertificateId,
  qualcommEkCertificateId,
  type EkCertificateServiceStyle,
  type EkPublicKeyParts,
} from "../../protocol/index.js";

/** Which vendors run an EK certificate service, and in which style (DESIGN.md "Vendor endpoints"). */
export const EK_SERVICE_STYLES: Readonly<Partial<Record<VendorCode, EkCertificateServiceStyle>>> = Object.freeze({
  INTC: "intel",
  AMD: "amd",
  QCOM: "qualcomm",
});

/** What an id of each style looks like once URL-decoded (Intel's padding `=` is optional here). */
const ID_SHAPES: Readonly<Record<EkCertificateServiceStyle, RegExp>> = {
  intel: /^[A-Za-z0-9_-]{43}=?$/,
  amd: /^[0-9a-fA-F]{32}$/,
  qualcomm: /^[0-9a-fA-F]{64}$/,
};

/**
 * The hashed parts of an EK public key as a TPM reports them in TPMT_PUBLIC.unique: the RSA modulus and
 * exponent, or the P-256 point with x and y at the curve's full 32 bytes (JWK pads them the same way).
 */
export function ekKeyParts(key: KeyObject): EkPublicKeyParts {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty === "RSA" && jwk.n !== undefined && jwk.e !== undefined) {
    const exponent = Buffer.from(jwk.e, "base64url");
    return { type: "rsa", modulus: Buffer.from(jwk.n, "base64url"), exponent: exponent.readUIntBE(0, Math.min(exponent.length, 6)) };
  }
  if (jwk.kty === "EC" && jwk.x !== undefined && jwk.y !== undefined) {
    return { type: "ecc", x: Buffer.from(jwk.x, "base64url"), y: Buffer.from(jwk.y, "base64url") };
  }
  throw new RangeError("an EK is an RSA or EC key");
}

/** The id under which a vendor of `style` serves the certificate of EK `key`, in its index form. */
function indexId(style: EkCertificateServiceStyle, parts: EkPublicKeyParts): string {
  switch (style) {
    case "intel":
      return intelEkCertificateId(parts).replaceAll("%3D", "");
    case "amd":
      return amdEkCertificateId(parts);
    case "qualcomm":
      return qualcommEkCertificateId(parts);
  }
}

/** A URL-decoded request id in its index form, or undefined when it cannot be an id of `style`. */
function normalizeRequestId(style: EkCertificateServiceStyle, id: string): string | undefined {
  const decoded = id.replaceAll("%3D", "=").replaceAll("%3d", "=");
  if (!ID_SHAPES[style].test(decoded)) return undefined;
  return style === "intel" ? decoded.replace(/=$/, "") : decoded.toLowerCase();
}

/** A certificate found in the index, with the id in the form the style answers with. */
export interface IndexedEkCertificate {
  readonly certificate: Uint8Array;
  /** Intel-style `pubhash`: the id as tpm2-tss computes it (padding escaped `%3D`). */
  readonly id: string;
}

/**
 * The EK certificates one vendor publishes, by the id its style computes from the EK public key. Built from
 * the published files on first use and refreshed on a miss (a TPM manufactured while the service runs),
 * reading only files it has not read before; concurrent misses share one refresh.
 */
export class PublishedEkIndex {
  readonly #home: string;
  readonly #vendor: VendorCode;
  readonly #style: EkCertificateServiceStyle;
  readonly #byId = new Map<string, IndexedEkCertificate>();
  readonly #knownFiles = new Set<string>();
  #refreshing: Promise<void> | undefined;

  constructor(home: string, vendor: VendorCode, style: EkCertificateServiceStyle) {
    this.#home = home;
    this.#vendor = vendor;
    this.#style = style;
  }

  /** The certificate for request id `id` (URL-decoded path segment), or undefined. */
  async find(id: string): Promise<IndexedEkCertificate | undefined> {
    const key = normalizeRequestId(this.#style, id);
    if (key === undefined) return undefined;
    const known = this.#byId.get(key);
    if (known !== undefined) return known;
    // A refresh already under way may have listed the directory before this certificate was published.
    if (this.#refreshing !== undefined) {
      await this.#refreshing;
      const found = this.#byId.get(key);
      if (found !== undefined) return found;
    }
    await this.refresh();
    return this.#byId.get(key);
  }

  /** Adds (or replaces) a certificate published while the index is in use. */
  add(entry: PublishedEkCertificate): void {
    const parts = ekKeyParts(entry.ekPublicKey);
    this.#byId.set(indexId(this.#style, parts), {
      certificate: entry.certificate,
      id: this.#style === "intel" ? intelEkCertificateId(parts) : indexId(this.#style, parts),
    });
    this.#knownFiles.add(entry.name);
  }

  /** Reads the files published since the last refresh. */
  refresh(): Promise<void> {
    this.#refreshing ??= listPublishedEkCertificates(this.#home, this.#vendor, this.#knownFiles)
      .then((entries) => {
        for (const entry of entries) this.add(entry);
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }
}
