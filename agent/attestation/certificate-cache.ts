/**
 * What a device process keeps between attestations, as Windows keeps the CA certificates it downloaded
 * (its URL cache) instead of fetching them for every attestation: the CA certificates found through AIA,
 * by URL, each downloaded and read once; and the AIK certificate chains the service sent whose signatures
 * verified, by fingerprint, so that many devices verify each CA signature once. The devices of one process
 * (a fleet worker) share one. Both maps are bounded; the least recently used entry goes first.
 */
import { createHash, type X509Certificate } from "node:crypto";
import { readCertificateFields, type CertificateFields } from "./certificate-fields.js";

/** A CA certificate fetched through AIA. */
export interface CaCertificate {
  readonly der: Buffer;
  readonly fields: CertificateFields;
}

/** Options of {@link CertificateCache}. */
export interface CertificateCacheOptions {
  /** Most entries kept in each map (URLs, chains). Default 128. */
  readonly maxEntries?: number;
}

/** Counters, for tests and reports. */
export interface CertificateCacheStats {
  /** CA certificates downloaded. */
  downloads: number;
  /** CA certificates answered from the cache. */
  hits: number;
  /** AIK chains verified (signature by signature). */
  chainsVerified: number;
}

const DEFAULT_MAX_ENTRIES = 128;

/** A Map that keeps at most `max` entries, dropping the least recently used. */
class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** SHA-256 over the chain, each certificate preceded by its length (so no two chains collide by splitting). */
function chainFingerprint(chain: readonly Uint8Array[]): string {
  const hash = createHash("sha256");
  const length = Buffer.alloc(4);
  for (const der of chain) {
    length.writeUInt32BE(der.length);
    hash.update(length).update(der);
  }
  return hash.digest("hex");
}

/** See the file comment. */
export class CertificateCache {
  readonly stats: CertificateCacheStats = { downloads: 0, hits: 0, chainsVerified: 0 };
  readonly #caByUrl: BoundedMap<string, Promise<CaCertificate>>;
  readonly #verifiedChains: BoundedMap<string, X509Certificate>;

  constructor(options: CertificateCacheOptions = {}) {
    const max = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.#caByUrl = new BoundedMap(max);
    this.#verifiedChains = new BoundedMap(max);
  }

  /** CA certificates held, and verified chains held. */
  get size(): { caCertificates: number; chains: number } {
    return { caCertificates: this.#caByUrl.size, chains: this.#verifiedChains.size };
  }

  /**
   * The CA certificate at `url`: from the cache (`cached`), or downloaded with `download` — once, however many
   * devices ask at the same time. A failed download or an answer that is no certificate is not kept.
   * @throws what `download` throws, or CertificateFormatError.
   */
  async caCertificate(url: string, download: () => Promise<Uint8Array>): Promise<{ certificate: CaCertificate; cached: boolean }> {
    const held = this.#caByUrl.get(url);
    if (held !== undefined) {
      this.stats.hits++;
      return { certificate: await held, cached: true };
    }
    this.stats.downloads++;
    const pending = download().then((der) => ({ der: Buffer.from(der), fields: readCertificateFields(der) }));
    this.#caByUrl.set(url, pending);
    pending.catch(() => {
      if (this.#caByUrl.get(url) === pending) this.#caByUrl.delete(url);
    });
    return { certificate: await pending, cached: false };
  }

  /** Drops what is held for `url` (a CA certificate that no longer matches what it should have issued). */
  forget(url: string): void {
    this.#caByUrl.delete(url);
  }

  /**
   * The result of `verify` for this exact chain: computed the first time, then kept. A chain that fails
   * verification is not kept, so each try verifies (and fails) again.
   */
  verifiedChain(chain: readonly Uint8Array[], verify: (chain: readonly Uint8Array[]) => X509Certificate): X509Certificate {
    const fingerprint = chainFingerprint(chain);
    const held = this.#verifiedChains.get(fingerprint);
    if (held !== undefined) return held;
    const verified = verify(chain);
    this.stats.chainsVerified++;
    this.#verifiedChains.set(fingerprint, verified);
    return verified;
  }
}
