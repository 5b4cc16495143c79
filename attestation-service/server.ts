import { createServer } from "node:net";
import type { FastifyInstance } from "fastify";
import { loadTlsCredentials } from "../certs/index.js";
import { createHttpsApp, createLogger, listenLoopback, loadOrCreateAdminToken, systemClock, type Clock } from "../lib/index.js";
import { installProtocolErrorHandler } from "../protocol/index.js";
import { registerVendorEndpoints } from "./vendors/endpoints.js";
import { parseVendorFaultList } from "./vendors/faults.js";
import { registerAttestationService, type AttestationService } from "./service.js";

/** The services this process can run. */
export type AttestationServiceName = "vendors" | "attestation";

/** What a service mounted next to these ones is given. */
export interface ExtraServiceContext {
  readonly home: string;
  /** The server's base URL (known before it listens). */
  readonly url: string;
  readonly adminToken: string;
  readonly clock: Clock;
}

/**
 * Another service mounted on the same app (the deployment service): the caller composes it, since this service
 * imports no other. It returns how to close what it opened.
 */
export type ExtraService = (app: FastifyInstance, context: ExtraServiceContext) => Promise<{ close(): Promise<void> }>;

/** Options of {@link startServices}. */
export interface StartServicesOptions {
  /** Home of the PKIs, the admin token, the TLS credentials and the SQLite database. */
  readonly home: string;
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: a free one). */
  readonly port?: number;
  /** Which services to run (default both). */
  readonly services?: readonly AttestationServiceName[];
  /** Database URL of the AIK service (default SQLite under the home). */
  readonly db?: string;
  /** Let the AIK service certify software TPMs (swtpm, IBM) — refused by default, as Autopilot does. */
  readonly allowSoftwareTpm?: boolean;
  /** Vendor faults in effect from the start, `VENDOR=FAULT` each. */
  readonly vendorFaults?: readonly string[];
  /** Base URL of the vendor endpoints the AIK service fetches from (default this server's own). */
  readonly vendorsUrl?: string;
  /** Service time (default the system clock). */
  readonly clock?: Clock;
  /** Services mounted on the same port after these ones (closed before them). */
  readonly extraServices?: readonly ExtraService[];
}

/** Services started by {@link startServices}. */
export interface RunningServices {
  /** Base URL (`https://127.0.0.1:PORT/`): the virtual hosts and services are path prefixes below it. */
  readonly url: string;
  /** Bearer token of every admin endpoint (also in `<home>/admin-token`). */
  readonly adminToken: string;
  /** Stops accepting requests, drops held ones, and closes the services' stores. */
  close(): Promise<void>;
}

const PORT_ATTEMPTS = 3;

/** A port that was free a moment ago: the AIK service must know the server's own URL before it listens. */
function pickFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function baseUrl(host: string, port: number): string {
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "EADDRINUSE";
}

/**
 * Runs the vendor endpoints and/or the AIK service on one HTTPS port (TLS from the home's local CA), with the
 * error registry's bodies for every error. With port 0 a free port is chosen first, because the AIK service is
 * told the server's own URL as its vendors URL; should another process take that port meanwhile, it tries again.
 * @throws VendorFaultError for a bad `vendorFaults` entry.
 */
export async function startServices(options: StartServicesOptions): Promise<RunningServices> {
  const services = new Set<AttestationServiceName>(options.services ?? ["vendors", "attestation"]);
  const extraServices = options.extraServices ?? [];
  if (services.size === 0 && extraServices.length === 0) throw new RangeError("startServices needs at least one service");
  const clock = options.clock ?? systemClock;
  const host = options.host ?? "127.0.0.1";
  const vendorFaults = parseVendorFaultList(options.vendorFaults ?? []);
  const tls = await loadTlsCredentials(options.home);
  const adminToken = await loadOrCreateAdminToken(options.home);
  const logger = createLogger("services");

  for (let attempt = 1; ; attempt++) {
    const chosenPort = options.port !== undefined && options.port !== 0 ? options.port : await pickFreePort(host);
    // Clients may present a certificate (MDM management authenticates devices by it); every other route ignores it.
    const app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key, requestCert: true } });
    installProtocolErrorHandler(app, (error) => logger.error({ err: error }, "internal error"));
    let attestation: AttestationService | undefined;
    const extras: { close(): Promise<void> }[] = [];
    const closeExtras = async (): Promise<void> => {
      for (const extra of extras.splice(0).reverse()) await extra.close();
    };
    try {
      if (services.has("vendors")) await registerVendorEndpoints(app, { home: options.home, clock, faults: vendorFaults, adminToken });
      if (services.has("attestation")) {
        attestation = await registerAttestationService(app, {
          home: options.home,
          ...(options.db === undefined ? {} : { db: options.db }),
          clock,
          allowSoftwareTpm: options.allowSoftwareTpm ?? false,
          vendorsUrl: options.vendorsUrl ?? baseUrl(host, chosenPort),
          trustCa: tls.ca,
          adminToken,
        });
      }
      const context: ExtraServiceContext = { home: options.home, url: baseUrl(host, chosenPort), adminToken, clock };
      for (const extra of extraServices) extras.push(await extra(app, context));
      const address = await listenLoopback(app, { host, port: chosenPort });
      const running = attestation;
      return {
        url: address.url,
        adminToken,
        close: async () => {
          await app.close();
          await closeExtras();
          await running?.close();
        },
      };
    } catch (error) {
      await app.close();
      await closeExtras();
      await attestation?.close();
      if (isAddressInUse(error) && chosenPort !== options.port && attempt < PORT_ATTEMPTS) continue;
      throw error;
    }
  }
}
