import { Agent, type Dispatcher } from "undici";

/** Options of {@link createHttpsAgent}. */
export interface HttpsAgentOptions {
  /** PEM trust anchors (the local TLS CA of the home); absent: the system's. */
  readonly ca?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  readonly cert?: string;
  readonly key?: string;
  /** Sockets per origin kept alive. */
  readonly connections?: number;
  /** Connect + headers + body timeouts, ms. */
  readonly timeoutMs?: number;
}

/**
 * An undici dispatcher for our HTTPS services: keep-alive pools per origin, TLS session reuse, bounded
 * timeouts. Pass it as `dispatcher` to undici's `request`/`fetch`; close it when done.
 */
export function createHttpsAgent(options: HttpsAgentOptions = {}): Dispatcher {
  const timeout = options.timeoutMs ?? 30_000;
  return new Agent({
    connections: options.connections ?? 16,
    keepAliveTimeout: 30_000,
    connectTimeout: timeout,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: {
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
    },
  });
}
