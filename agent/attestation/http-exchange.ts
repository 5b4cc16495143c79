/**
 * The device's HTTP: CBOR requests to the attestation service and plain GETs of certificates, every answer
 * bounded in size and time, every failure classified into an AttestationFailure (retryable or not, reached
 * or not) by registry code — never by message text.
 */
import { request, type Dispatcher } from "undici";
import { decodeCbor, encodeCbor, errorCauseCode, readBodyWithin } from "../../lib/index.js";
import { ATTESTATION_MEDIA_TYPE, errorDefinition, parseErrorBody } from "../../protocol/index.js";
import { AttestationFailure } from "./outcome.js";

/** Largest answer read (the biggest legitimate one, a proof response with its chain, is far below). */
const MAX_RESPONSE_BYTES = 256 * 1024;
const USER_AGENT = "apsim-agent/1";

/** Socket-level failures: the service was not reached or stopped answering. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);


/** A request that threw before an HTTP answer: unreachable (retryable) or a TLS/trust problem (not). */
function transportFailure(url: string, error: unknown): AttestationFailure {
  const code = errorCauseCode(error) ?? "UNKNOWN";
  const reason = error instanceof Error ? error.message : String(error);
  if (UNREACHABLE.has(code) || code === "UNKNOWN") {
    return new AttestationFailure("SERVICE_UNREACHABLE", `${url}: ${code} ${reason}`, { retryable: true, unreachable: true, cause: error });
  }
  // certificate and TLS failures do not heal by themselves
  return new AttestationFailure("SERVICE_UNREACHABLE", `${url}: ${code} ${reason}`, { retryable: false, cause: error });
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,6}$/.test(text.trim())) return undefined;
  return Number(text.trim()) * 1000;
}

/** The registry code for an HTTP status that came without an error body. */
function codeForStatus(status: number): string {
  if (status === 503) return "OVERLOADED";
  if (status >= 500) return "INTERNAL";
  return { 401: "UNAUTHORIZED", 404: "NOT_FOUND", 413: "BODY_TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE" }[status] ?? "MALFORMED_REQUEST";
}

function decodeBody(bytes: Buffer, contentType: string): unknown {
  try {
    return contentType.startsWith("application/json") ? (JSON.parse(bytes.toString("utf8")) as unknown) : decodeCbor(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A non-2xx answer as a failure: the code the service sent (its retryability from our registry; a code
 * this version does not know is not retried), or one derived from the status. Every 5xx is retryable.
 */
function answerFailure(url: string, status: number, body: Buffer, contentType: string, headers: Dispatcher.ResponseData["headers"]): AttestationFailure {
  const error = parseErrorBody(decodeBody(body, contentType));
  const code = error?.code ?? codeForStatus(status);
  const definition = errorDefinition(code);
  const retryable = (definition?.retryable ?? false) || status >= 500;
  const sentHresult = error?.hresult !== undefined && /^0x[0-9a-f]{8}$/i.test(error.hresult) ? Number(error.hresult) : undefined;
  const after = retryAfterMs(headers["retry-after"]);
  return new AttestationFailure(code, `${url}: HTTP ${status}${error ? ` ${error.message}` : ""}`, {
    retryable,
    ...(definition?.hresult === undefined && sentHresult !== undefined ? { hresult: sentHresult } : {}),
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}


/** How requests go out. */
export interface Exchange {
  readonly dispatcher: Dispatcher;
  /** Headers and body deadline of one request, ms. */
  readonly timeoutMs: number;
}

async function send(
  url: string,
  options: { method: "GET" | "POST"; body?: Uint8Array; headers: Record<string, string> },
  exchange: Exchange,
): Promise<{ body: Buffer; contentType: string }> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: options.method,
      headers: { "user-agent": USER_AGENT, ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      dispatcher: exchange.dispatcher,
      headersTimeout: exchange.timeoutMs,
      bodyTimeout: exchange.timeoutMs,
    });
  } catch (error) {
    throw transportFailure(url, error);
  }
  let body: Buffer;
  try {
    const read = await readBodyWithin(response.body, MAX_RESPONSE_BYTES);
    if (read === undefined) throw new AttestationFailure("BODY_TOO_LARGE", `${url}: answer larger than ${MAX_RESPONSE_BYTES} bytes`);
    body = read;
  } catch (error) {
    if (error instanceof AttestationFailure) throw error;
    throw transportFailure(url, error);
  }
  const contentType = String(response.headers["content-type"] ?? "").toLowerCase();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw answerFailure(url, response.statusCode, body, contentType, response.headers);
  }
  return { body, contentType };
}

/** POSTs a CBOR message and returns the decoded CBOR answer (validate it with the protocol's parse*). */
export async function postCbor(url: string, message: unknown, exchange: Exchange): Promise<unknown> {
  const { body } = await send(
    url,
    { method: "POST", body: encodeCbor(message), headers: { "content-type": ATTESTATION_MEDIA_TYPE, accept: ATTESTATION_MEDIA_TYPE } },
    exchange,
  );
  try {
    return decodeCbor(body);
  } catch (error) {
    throw new AttestationFailure("MALFORMED_CBOR", `${url}: the answer is not CBOR`, { cause: error });
  }
}

/** GETs a resource (a certificate, a vendor's JSON) as bytes with its content type. */
export function getBytes(url: string, exchange: Exchange): Promise<{ body: Buffer; contentType: string }> {
  return send(url, { method: "GET", headers: { accept: "*/*" } }, exchange);
}


/** POSTs a JSON message and returns the parsed JSON answer (validate it with the protocol's parse*). */
export async function postJson(url: string, message: unknown, exchange: Exchange): Promise<unknown> {
  const { body } = await send(
    url,
    { method: "POST", body: Buffer.from(JSON.stringify(message)), headers: { "content-type": "application/json", accept: "application/json" } },
    exchange,
  );
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (error) {
    throw new AttestationFailure("MALFORMED_RESPONSE", `${url}: the answer is not JSON`, { cause: error });
  }
}
