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

/**
 * An answer's body, read up to `maxBytes`; undefined (the stream destroyed) once it is larger, so the caller reports
 * that with its own error.
 */
export async function readBodyWithin(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      return undefined;
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/** The `code` of an error or of one of its causes (socket and TLS errors come wrapped by undici). */
export function errorCauseCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e === "object" && "code" in e && typeof e.code === "string") return e.code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
