/**
 * What the service fetches from the TPM vendors' endpoints, always through `vendorsUrl` (virtual host names,
 * DESIGN.md): CA certificates at AIA caIssuers URLs, CRLs at CRL distribution points, and firmware TPMs' EK
 * certificates from their vendor's EK certificate service. Responses are bounded in size and time; CA
 * certificates are cached, CRLs until their nextUpdate on the service clock.
 */
import type { Dispatcher } from "undici";
import { request } from "undici";
import { x509 } from "../certs/index.js";
import { createHttpsAgent, type Clock } from "../lib/index.js";
import {
  ATTESTATION_LIMITS,
  ProtocolError,
  decodeIntelEkCertificateBody,
  ekCertificateUrl,
  isVirtualHost,
  resolveVirtualUrl,
  type EkCertificateServiceStyle,
  type EkPublicKeyParts,
} from "../protocol/index.js";

/** Options of {@link VendorResources}. */
export interface VendorResourcesOptions {
  /** Base URL the virtual hosts are served under. */
  readonly vendorsUrl: string;
  /** PEM trust anchors of the endpoints' TLS certificates. */
  readonly trustCa: string;
  readonly clock: Clock;
  /** Connect, headers and body timeout of one fetch, ms. */
  readonly timeoutMs?: number;
}

/** Largest CRL accepted (a vendor CRL lists every revoked EK certificate of one CA). */
const MAX_CRL_BYTES = 1024 * 1024;
/** CA certificates kept in memory (vendors have a handful of CAs each). */
const MAX_CACHED_CERTIFICATES = 256;
const DEFAULT_TIMEOUT_MS = 10_000;

function unavailable(url: string, reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError("VENDOR_ENDPOINT_UNAVAILABLE", `${url}: ${reason}`, cause === undefined ? undefined : { cause });
}

function parseCertificate(body: Buffer): x509.X509Certificate {
  const text = body.subarray(0, 11).toString("latin1");
  return new x509.X509Certificate(text === "-----BEGIN " ? body.toString("latin1") : new Uint8Array(body));
}

/** Fetches vendor documents through the vendors' base URL. */
export class VendorResources {
  readonly #options: VendorResourcesOptions;
  readonly #dispatcher: Dispatcher;
  readonly #certificates = new Map<string, x509.X509Certificate>();
  readonly #crls = new Map<string, { readonly crl: x509.X509Crl; readonly until: number }>();

  constructor(options: VendorResourcesOptions) {
    this.#options = options;
    this.#dispatcher = createHttpsAgent({ ca: options.trustCa, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  /**
   * GETs a virtual-host URL; undefined on 404. Only our virtual hosts are fetched: URLs in certificates come
   * from the device, and the service must not be made to call arbitrary hosts.
   * @throws ProtocolError VENDOR_ENDPOINT_UNAVAILABLE (network, timeout, other status, body over maxBytes)
   */
  async #get(url: string, maxBytes: number, signal?: AbortSignal): Promise<{ body: Buffer; contentType: string } | undefined> {
    let target: string;
    try {
      if (!isVirtualHost(new URL(url).hostname)) return undefined;
      target = resolveVirtualUrl(url, this.#options.vendorsUrl);
    } catch {
      return undefined;
    }
    let response: Dispatcher.ResponseData;
    try {
      response = await request(target, { method: "GET", dispatcher: this.#dispatcher, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      throw unavailable(url, (error as Error).message, error);
    }
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw unavailable(url, `HTTP ${response.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          response.body.destroy();
          throw unavailable(url, `response larger than ${maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      throw unavailable(url, (error as Error).message, error);
    }
    const contentType = response.headers["content-type"];
    return { body: Buffer.concat(chunks), contentType: typeof contentType === "string" ? contentType : "" };
  }

  /** The CA certificate at an AIA caIssuers URL (DER or PEM); undefined when absent or unparsable. */
  async certificate(url: string, signal?: AbortSignal): Promise<x509.X509Certificate | undefined> {
    const cached = this.#certificates.get(url);
    if (cached !== undefined) return cached;
    const fetched = await this.#get(url, ATTESTATION_LIMITS.maxCertificateBytes, signal);
    if (fetched === undefined) return undefined;
    let certificate: x509.X509Certificate;
    try {
      certificate = parseCertificate(fetched.body);
    } catch {
      return undefined;
    }
    if (this.#certificates.size >= MAX_CACHED_CERTIFICATES) this.#certificates.delete(this.#certificates.keys().next().value!);
    this.#certificates.set(url, certificate);
    return certificate;
  }

  /**
   * The CRL at a distribution point, from cache while the service clock is before its nextUpdate.
   * @throws ProtocolError VENDOR_ENDPOINT_UNAVAILABLE when it cannot be fetched or parsed
   */
  async crl(url: string, signal?: AbortSignal): Promise<x509.X509Crl> {
    const now = this.#options.clock.now();
    const cached = this.#crls.get(url);
    if (cached !== undefined && now < cached.until) return cached.crl;
    const fetched = await this.#get(url, MAX_CRL_BYTES, signal);
    if (fetched === undefined) throw unavailable(url, "no CRL published");
    let crl: x509.X509Crl;
    try {
      crl = new x509.X509Crl(new Uint8Array(fetched.body));
    } catch (error) {
      throw unavailable(url, "not a CRL", error);
    }
    const nextUpdate = crl.nextUpdate?.getTime();
    if (nextUpdate !== undefined && now < nextUpdate) this.#crls.set(url, { crl, until: nextUpdate });
    else this.#crls.delete(url);
    return crl;
  }

  /**
   * A firmware TPM's EK certificate from its vendor's EK certificate service (Intel: JSON, others: DER), as
   * Windows fetches it when NV holds none; undefined when the vendor has none for this EK.
   * @throws ProtocolError VENDOR_ENDPOINT_UNAVAILABLE
   */
  async ekCertificate(
    style: EkCertificateServiceStyle,
    vendorHost: string,
    key: EkPublicKeyParts,
    signal?: AbortSignal,
  ): Promise<Uint8Array | undefined> {
    const url = ekCertificateUrl(style, vendorHost, key);
    const fetched = await this.#get(url, ATTESTATION_LIMITS.maxCertificateBytes * 2, signal);
    if (fetched === undefined) return undefined;
    if (style !== "intel" && !fetched.contentType.startsWith("application/json")) return fetched.body;
    let body: unknown;
    try {
      body = JSON.parse(fetched.body.toString("utf8"));
    } catch (error) {
      throw unavailable(url, "answer is not JSON", error);
    }
    const der = decodeIntelEkCertificateBody(body);
    if (der === undefined) throw unavailable(url, "answer holds no certificate");
    return der;
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}
