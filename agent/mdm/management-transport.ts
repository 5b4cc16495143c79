/**
 * How the device's OMA-DM client reaches the management server (MS-MDM §2.1): an HTTPS POST of each SyncML message
 * to `<management URL>?mode=Machine&Platform=WoA` as `application/vnd.syncml.dm+xml`, over mutual TLS with the
 * enrollment's client certificate and key, under the user agent `MSFT OMA DM Client/1.2.0.1`. A 429 is retried
 * after its Retry-After, a bounded number of times; answers are bounded in size.
 */
import { request, type Dispatcher } from "undici";
import { createHttpsAgent, readBodyWithin, systemClock, type Clock } from "../../lib/index.js";
import { ProtocolError, SYNCML_LIMITS, SYNCML_MEDIA_TYPE } from "../../protocol/index.js";
import type { SyncMlTransport } from "./management-session.js";

/** The user agent of Windows' OMA-DM client. */
export const OMA_DM_USER_AGENT = "MSFT OMA DM Client/1.2.0.1";

/** Options of {@link createManagementTransport}. */
export interface ManagementTransportOptions {
  /** The management URL of the provisioning document. */
  readonly serverUrl: string;
  /** PEM of the enrollment's client certificate. */
  readonly clientCertificate: string;
  /** PEM of its private key; never logged. */
  readonly privateKey: string;
  /** PEM trust anchors of the server's TLS (absent: the system's). */
  readonly ca?: string;
  /** `Machine` (default) for a device session, `Maintenance` while provisioning. */
  readonly mode?: "Machine" | "Maintenance";
  /** Tries of one message, the first included, while the server answers 429; default 3. */
  readonly maxAttempts?: number;
  /** Longest wait honoured for one Retry-After, ms; default 5 minutes. */
  readonly maxRetryAfterMs?: number;
  /** Largest answer accepted, bytes; default the SyncML message bound. */
  readonly maxResponseBytes?: number;
  readonly timeoutMs?: number;
  /** Time for HTTP-date Retry-After values. */
  readonly clock?: Clock;
  /** Waits `ms` (default a timer); tests pass one that advances a manual clock. */
  readonly wait?: (ms: number) => Promise<void>;
}

/** A transport with its own connection pool. */
export interface ManagementTransport {
  readonly send: SyncMlTransport;
  close(): Promise<void>;
}

const DEFAULTS = { maxAttempts: 3, maxRetryAfterMs: 5 * 60_000, timeoutMs: 30_000, retryAfterMs: 30_000 };

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now; a default when absent. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return DEFAULTS.retryAfterMs;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? DEFAULTS.retryAfterMs : Math.max(0, date - now);
}


/** The device's management transport over mutual TLS. */
export function createManagementTransport(options: ManagementTransportOptions): ManagementTransport {
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const dispatcher = createHttpsAgent({
    cert: options.clientCertificate,
    key: options.privateKey,
    timeoutMs,
    connections: 1,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  const url = new URL(options.serverUrl);
  url.searchParams.set("mode", options.mode ?? "Machine");
  url.searchParams.set("Platform", "WoA");
  const clock = options.clock ?? systemClock;
  const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
  const maxResponseBytes = options.maxResponseBytes ?? SYNCML_LIMITS.maxBytes;

  const send = async (body: Uint8Array): Promise<Uint8Array> => {
    for (let attempt = 1; ; attempt++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method: "POST",
          dispatcher,
          headers: { "content-type": SYNCML_MEDIA_TYPE, accept: SYNCML_MEDIA_TYPE, "user-agent": OMA_DM_USER_AGENT },
          body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (error) {
        throw new ProtocolError("MDM_TRANSPORT_FAILED", `${url.origin}: ${(error as Error).message}`, { cause: error });
      }
      if (response.statusCode === 200) {
        const read = await readBodyWithin(response.body, maxResponseBytes);
        if (read === undefined) throw new ProtocolError("SYNCML_TOO_LARGE", `the management server's answer exceeds ${maxResponseBytes} bytes`);
        return read;
      }
      await response.body.dump();
      if (response.statusCode === 429) {
        const delay = retryAfterMs(response.headers["retry-after"], clock.now());
        if (attempt >= maxAttempts || delay > maxRetryAfterMs) {
          throw new ProtocolError("MDM_SERVER_BUSY", `still busy after ${attempt} tries`);
        }
        await wait(delay);
        continue;
      }
      if (response.statusCode === 403) throw new ProtocolError("MDM_CLIENT_CERTIFICATE_REFUSED", "the management server refused the enrollment certificate");
      throw new ProtocolError("MDM_TRANSPORT_FAILED", `the management server answered HTTP ${response.statusCode}`);
    }
  };
  return { send, close: () => dispatcher.close() };
}
