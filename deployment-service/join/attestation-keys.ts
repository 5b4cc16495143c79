/**
 * The attestation service's token signing keys, from its JWKS (`GET attestation/v1/jwks`): given outright, or
 * fetched from the attestation service's base URL on first use and again when a token names a key not seen yet
 * (the service's key may be replaced), at most once a minute.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { request, type Dispatcher } from "undici";
import { createHttpsAgent, type Clock } from "../../lib/index.js";
import { ProtocolError, normalizeBaseUrl } from "../../protocol/index.js";

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  readonly keys: readonly Record<string, unknown>[];
}

/** Where the attestation token keys come from. */
export type AttestationKeySource =
  | { readonly jwks: JsonWebKeySet }
  | { readonly url: string; /** PEM trust anchors of its TLS. */ readonly ca?: string };

const JWKS_PATH = "attestation/v1/jwks";
const REFRESH_INTERVAL_MS = 60_000;
const MAX_JWKS_BYTES = 64 * 1024;

function importKeys(jwks: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = typeof jwks === "object" && jwks !== null && Array.isArray((jwks as JsonWebKeySet).keys) ? (jwks as JsonWebKeySet).keys : [];
  list.forEach((jwk, index) => {
    if (jwk["kty"] !== "EC" || jwk["crv"] !== "P-256") return;
    if (typeof jwk["x"] !== "string" || typeof jwk["y"] !== "string") return;
    try {
      const key = createPublicKey({ key: { kty: "EC", crv: "P-256", x: jwk["x"], y: jwk["y"] }, format: "jwk" });
      keys.set(typeof jwk["kid"] === "string" ? jwk["kid"] : `#${index}`, key);
    } catch {
      // a key that does not import verifies nothing
    }
  });
  return keys;
}

/** Resolves the key a token names. */
export class AttestationKeys {
  #keys: Map<string, KeyObject> | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #dispatcher: Dispatcher | undefined;

  constructor(
    private readonly source: AttestationKeySource,
    private readonly clock: Clock,
  ) {
    if ("jwks" in source) this.#keys = importKeys(source.jwks);
  }

  /** The key with id `kid` (or the only key, when the token names none); undefined when there is none such. */
  async keyFor(kid: string | undefined): Promise<KeyObject | undefined> {
    const pick = (keys: Map<string, KeyObject>) => (kid === undefined ? (keys.size === 1 ? [...keys.values()][0] : undefined) : keys.get(kid));
    const known = this.#keys === undefined ? undefined : pick(this.#keys);
    if (known !== undefined || "jwks" in this.source) return known;
    if (this.clock.now() - this.#fetchedAt < REFRESH_INTERVAL_MS && this.#keys !== undefined) return undefined;
    this.#keys = await this.#fetch(this.source.url, this.source.ca);
    this.#fetchedAt = this.clock.now();
    return pick(this.#keys);
  }

  async #fetch(url: string, ca: string | undefined): Promise<Map<string, KeyObject>> {
    this.#dispatcher ??= createHttpsAgent({ ...(ca === undefined ? {} : { ca }), timeoutMs: 10_000 });
    const target = new URL(JWKS_PATH, normalizeBaseUrl(url)).href;
    try {
      const answer = await request(target, { dispatcher: this.#dispatcher, headers: { accept: "application/json" } });
      const body = Buffer.from(await answer.body.arrayBuffer());
      if (answer.statusCode !== 200 || body.length > MAX_JWKS_BYTES) throw new Error(`HTTP ${answer.statusCode}, ${body.length} bytes`);
      return importKeys(JSON.parse(body.toString("utf8")));
    } catch (error) {
      throw new ProtocolError("OVERLOADED", `the attestation token keys could not be fetched from ${target}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Releases the connection pool of fetched keys. */
  async close(): Promise<void> {
    await this.#dispatcher?.close();
    this.#dispatcher = undefined;
  }
}
