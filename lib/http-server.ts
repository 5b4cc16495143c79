import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { Logger } from "./logger.js";

/** TLS material of an HTTPS server (PEM). */
export interface HttpsServerTls {
  readonly cert: string;
  readonly key: string;
  /** Trust anchors for client certificates (mutual TLS). */
  readonly ca?: string;
  /** Ask clients for a certificate; handlers decide what an absent or unknown one means. */
  readonly requestCert?: boolean;
}

/** Options of {@link createHttpsApp}. */
export interface HttpsAppOptions {
  readonly tls: HttpsServerTls;
  /** Largest request body accepted, bytes (413 beyond). */
  readonly bodyLimit?: number;
  /** A request that takes longer than this is answered 408 and closed. */
  readonly requestTimeoutMs?: number;
  readonly logger?: Logger;
}

/** Media types whose bodies reach handlers as raw bytes (Buffer): CBOR, DER, SOAP/SyncML XML. */
const RAW_BODY_TYPES = [
  "application/cbor",
  "application/pkix-cert",
  "application/pkix-crl",
  "application/octet-stream",
  "application/soap+xml",
  "application/vnd.syncml.dm+xml",
];

/**
 * An HTTPS fastify app: keep-alive on, bounded bodies and request time, byte bodies for binary and XML
 * media types (handlers validate them; JSON keeps fastify's parser). Bind it with {@link listenLoopback}.
 */
export function createHttpsApp(options: HttpsAppOptions): FastifyInstance {
  const serverOptions: FastifyServerOptions & { https: object } = {
    https: {
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }),
      requestCert: options.tls.requestCert ?? false,
      rejectUnauthorized: false,
    },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: 60_000,
    return503OnClosing: true,
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
  };
  const app = Fastify(serverOptions) as unknown as FastifyInstance;
  app.addContentTypeParser(RAW_BODY_TYPES, { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  return app;
}

/** Where a server listens. */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  /** `https://host:port/`, the base URL clients use. */
  readonly url: string;
}

/** Listens on loopback (127.0.0.1 unless told otherwise); port 0 picks a free port. */
export async function listenLoopback(
  app: FastifyInstance,
  options: { host?: string; port?: number } = {},
): Promise<ListeningAddress> {
  const host = options.host ?? "127.0.0.1";
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === "string") throw new Error("server has no TCP address");
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return { host: address.address, port: address.port, url: `https://${shownHost}:${address.port}/` };
}
