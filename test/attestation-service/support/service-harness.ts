/**
 * The attestation service over real HTTPS for tests: the simulated vendor endpoints on one loopback app, the AIK
 * service on another (its vendorsUrl pointing at the first), both on the home's local TLS CA, one ManualClock.
 */
import type { FastifyInstance } from "fastify";
import { request, type Dispatcher } from "undici";
import { loadTlsCredentials } from "../../../certs/index.js";
import type { ManualClock} from "../../../lib/index.js";
import { createHttpsAgent, createHttpsApp, decodeCbor, encodeCbor, listenLoopback } from "../../../lib/index.js";
import { installProtocolErrorHandler } from "../../../protocol/index.js";
import {
  registerAttestationService,
  registerVendorEndpoints,
  type AttestationService,
  type AttestationServiceOptions,
  type VendorEndpoints,
} from "../../../attestation-service/index.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/** A CBOR or JSON answer. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** Vendor endpoints and one or more AIK service instances sharing a home and a clock. */
export class ServiceHarness {
  private readonly apps: FastifyInstance[] = [];
  private readonly services: AttestationService[] = [];
  readonly urls: string[] = [];

  private constructor(
    readonly home: string,
    readonly clock: ManualClock,
    readonly ca: string,
    readonly vendors: VendorEndpoints,
    readonly vendorsUrl: string,
    private readonly vendorApp: FastifyInstance,
    readonly dispatcher: Dispatcher,
  ) {}

  static async start(home: string, clock: ManualClock): Promise<ServiceHarness> {
    const tls = await loadTlsCredentials(home);
    const vendorApp = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    installProtocolErrorHandler(vendorApp);
    const vendors = await registerVendorEndpoints(vendorApp, { home, clock, adminToken: ADMIN_TOKEN });
    const vendorsUrl = (await listenLoopback(vendorApp)).url;
    return new ServiceHarness(home, clock, tls.ca, vendors, vendorsUrl, vendorApp, createHttpsAgent({ ca: tls.ca, connections: 32 }));
  }

  /** Starts an AIK service instance; returns its base URL. */
  async addService(options: Partial<AttestationServiceOptions> = {}): Promise<string> {
    const tls = await loadTlsCredentials(this.home);
    const app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key } });
    installProtocolErrorHandler(app);
    const service = await registerAttestationService(app, {
      home: this.home,
      clock: this.clock,
      allowSoftwareTpm: false,
      vendorsUrl: this.vendorsUrl,
      trustCa: this.ca,
      adminToken: ADMIN_TOKEN,
      ...options,
    });
    this.apps.push(app);
    this.services.push(service);
    const url = (await listenLoopback(app)).url;
    this.urls.push(url);
    return url;
  }

  /** POSTs a CBOR body (a value, or raw bytes as given) to `path` of service `instance`. */
  async post(path: string, body: unknown, instance = 0, contentType = "application/cbor"): Promise<Answer> {
    const raw = body instanceof Uint8Array ? body : encodeCbor(body);
    const answer = await request(new URL(path, this.urls[instance]).toString(), {
      method: "POST",
      dispatcher: this.dispatcher,
      headers: { "content-type": contentType, accept: "application/cbor" },
      body: Buffer.from(raw),
    });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    return { status: answer.statusCode, body: bytes.length === 0 ? undefined : decodeCbor(bytes) };
  }

  async get(path: string, headers: Record<string, string> = {}, instance = 0): Promise<Answer> {
    const answer = await request(new URL(path, this.urls[instance]).toString(), { dispatcher: this.dispatcher, headers });
    return { status: answer.statusCode, body: await answer.body.json() };
  }

  async stop(): Promise<void> {
    for (const app of this.apps) await app.close();
    for (const service of this.services) await service.close();
    await this.vendorApp.close();
    await this.dispatcher.close();
  }
}

/** The error code of an error answer. */
export function errorCodeOf(answer: Answer): string | undefined {
  return (answer.body as { error?: { code?: string } } | undefined)?.error?.code;
}
