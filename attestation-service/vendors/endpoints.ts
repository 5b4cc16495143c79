import type { KeyObject } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { VENDORS, publishEkCertificate, type PublishedEkCertificate, type VendorCode } from "../../certs/index.js";
import { loadOrCreateAdminToken, type Clock } from "../../lib/index.js";
import { ProtocolError, encodeIntelEkCertificateBody, virtualHostPrefix, type EkCertificateServiceStyle } from "../../protocol/index.js";
import { registerVendorAdminRoutes } from "./admin-routes.js";
import { VendorCaDocuments } from "./ca-documents.js";
import { EK_SERVICE_STYLES, PublishedEkIndex } from "./ek-index.js";
import { DEFAULT_FAULT_SEED, VendorFaultController } from "./fault-controller.js";
import type { VendorFaultSet } from "./faults.js";

/** Options of {@link registerVendorEndpoints}. */
export interface VendorEndpointsOptions {
  /** Home whose vendor PKIs and published EK certificates are served. */
  readonly home: string;
  /** Service time: CRL thisUpdate, expired copies of CA certificates. */
  readonly clock: Clock;
  /** Faults in effect from the start (`--vendor-fault`). */
  readonly faults?: VendorFaultSet;
  /** Bearer token of the admin API; default: the home's admin token. */
  readonly adminToken?: string;
  /** Seed of the `error:RATE` draws (default {@link DEFAULT_FAULT_SEED}). */
  readonly faultSeed?: number;
  /** How `slow:MS` latency is waited (tests inject one); default a timer. */
  readonly delay?: (ms: number) => Promise<void>;
  /** Longest a `timeout` fault holds a request before dropping it; default the server's request timeout, else 30 s. */
  readonly holdLimitMs?: number;
}

/** The running vendor endpoints. */
export interface VendorEndpoints {
  /** The faults of every vendor; changes take effect with the next request. */
  readonly faults: VendorFaultController;
  /** Publishes an EK certificate at a vendor's service (as the admin API does) and indexes it. */
  publish(vendor: VendorCode, der: Uint8Array, options?: { ekPublicKey?: KeyObject }): Promise<PublishedEkCertificate>;
}

/** Seconds an `outage` answer asks the client to wait. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;
const DEFAULT_HOLD_LIMIT_MS = 30_000;
const MEDIA_CERT = "application/pkix-cert";
const MEDIA_CRL = "application/pkix-crl";

/** The path, below the vendor's host prefix, of each style's EK certificate service. */
const EK_SERVICE_PATHS: Readonly<Record<EkCertificateServiceStyle, string>> = {
  intel: "/ekcertservice/:id",
  amd: "/pki/aia/:id",
  qualcomm: "/EKCertificate/GetEKCertificate/v1/:id",
};

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const timerDelay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function der(reply: FastifyReply, type: string, body: Uint8Array | undefined, what: string): FastifyReply {
  if (body === undefined) throw new ProtocolError("NOT_FOUND", what);
  return reply.type(type).header("cache-control", "no-cache").send(Buffer.from(body));
}

/**
 * Adds the simulated vendor endpoints to `app`, each under the path prefix of its vendor's virtual host
 * (`/pki.intc.vendors.apsim.test/…`): every CA's certificate (`<name>.crt`, DER) and CRL (`<name>.crl`, DER);
 * the EK certificate services — Intel-style `ekcertservice/<id>` (JSON) on INTC, AMD-style `pki/aia/<id>` (DER) on
 * AMD, `EKCertificate/GetEKCertificate/v1/<id>` (DER, ours) on QCOM — answering from the published certificates;
 * and the admin API under `/admin/vendors/<CODE>/…` (bearer admin token). Every request to a vendor's host
 * first meets that vendor's faults. The app's error handler (installProtocolErrorHandler) renders errors.
 */
export async function registerVendorEndpoints(app: FastifyInstance, options: VendorEndpointsOptions): Promise<VendorEndpoints> {
  const faults = new VendorFaultController(options.faults ?? {}, options.faultSeed ?? DEFAULT_FAULT_SEED);
  const delay = options.delay ?? timerDelay;
  const configuredTimeout = app.server.requestTimeout;
  const holdLimitMs = options.holdLimitMs ?? (configuredTimeout > 0 ? configuredTimeout : DEFAULT_HOLD_LIMIT_MS);
  const adminToken = options.adminToken ?? (await loadOrCreateAdminToken(options.home));

  const held = new Set<() => void>();
  app.addHook("preClose", (done) => {
    for (const release of held) release();
    done();
  });

  /** `timeout`: no answer; the connection is dropped when the client leaves, the bound passes or the app closes. */
  async function hold(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.hijack();
    const socket = request.raw.socket;
    await new Promise<void>((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        socket.off("close", release);
        held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, holdLimitMs);
      socket.once("close", release);
      held.add(release);
    });
    socket.destroy();
  }

  const withFaults = (vendor: VendorCode, host: string, handler: Handler): Handler =>
    async (request, reply) => {
      const decision = faults.decide(vendor);
      if (decision.slowMs > 0) await delay(decision.slowMs);
      if (decision.timeout) return hold(request, reply);
      if (decision.outage) {
        reply.header("retry-after", String(OUTAGE_RETRY_AFTER_SECONDS));
        throw new ProtocolError("OVERLOADED", `${host} is out of service (simulated outage)`);
      }
      if (decision.error) throw new ProtocolError("INTERNAL", `${host} failed (simulated error)`);
      return handler(request, reply);
    };

  const indexes = new Map<VendorCode, PublishedEkIndex>();
  for (const vendor of VENDORS) {
    const prefix = `/${virtualHostPrefix(vendor.host)}`;
    const documents = new VendorCaDocuments(options.home, vendor, options.clock, faults);
    const caNames = vendor.hierarchies.flatMap((hierarchy) => [hierarchy.root.name, hierarchy.issuing.name]);
    for (const name of caNames) {
      app.get(`${prefix}/${name}.crt`, withFaults(vendor.code, vendor.host, async (_request, reply) =>
        der(reply, MEDIA_CERT, await documents.certificate(name), `${vendor.host}/${name}.crt`),
      ));
      app.get(`${prefix}/${name}.crl`, withFaults(vendor.code, vendor.host, async (_request, reply) =>
        der(reply, MEDIA_CRL, await documents.crl(name), `${vendor.host}/${name}.crl`),
      ));
    }

    const style = EK_SERVICE_STYLES[vendor.code];
    if (style === undefined) continue;
    const index = new PublishedEkIndex(options.home, vendor.code, style);
    indexes.set(vendor.code, index);
    app.get(`${prefix}${EK_SERVICE_PATHS[style]}`, withFaults(vendor.code, vendor.host, async (request, reply) => {
      const { id } = request.params as { id: string };
      const found = await index.find(id);
      if (found === undefined) throw new ProtocolError("NOT_FOUND", `${vendor.host} has no EK certificate ${id.slice(0, 100)}`);
      if (style === "intel") return reply.type("application/json").send(encodeIntelEkCertificateBody(found.id, found.certificate));
      return der(reply, MEDIA_CERT, found.certificate, id);
    }));
  }

  const publish = async (vendor: VendorCode, certificate: Uint8Array, publishOptions: { ekPublicKey?: KeyObject } = {}) => {
    const index = indexes.get(vendor);
    if (index === undefined) throw new ProtocolError("NOT_FOUND", `${vendor} publishes no EK certificates online`);
    const entry = await publishEkCertificate(options.home, vendor, certificate, publishOptions);
    index.add(entry);
    return entry;
  };

  registerVendorAdminRoutes(app, { adminToken, faults, publish, ekServiceStyles: EK_SERVICE_STYLES });
  return { faults, publish };
}
