/**
 * The enrollment client's HTTP, as Windows' sends it (User-Agent `ENROLLClient`, SOAP 1.2 bodies as
 * `application/soap+xml; charset=utf-8`): every answer bounded in size and time, redirects not followed, and every
 * failure a registry error — the server's SOAP fault as its MS-MDE2 code, a transport failure as
 * MDE2_SERVER_UNREACHABLE or MDE2_SERVER_CERTIFICATE_INVALID, anything else as MDE2_RESPONSE_INVALID.
 */
import { request, type Dispatcher } from "undici";
import { errorCauseCode, readBodyWithin } from "../../../lib/index.js";
import { MDE2_MAX_MESSAGE_BYTES, ProtocolError, SOAP_MEDIA_TYPE, faultError, parseFault, type ErrorCode } from "../../../protocol/index.js";

/** The User-Agent a Windows 10 client sent to an enrollment server. */
export const ENROLLMENT_USER_AGENT = "ENROLLClient";

/** How requests go out. */
export interface SoapExchange {
  readonly dispatcher: Dispatcher;
  /** Headers and body deadline of one request, ms. */
  readonly timeoutMs: number;
}

/** TLS failures: the server answered but is not who it claims to be. */
const TLS_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REVOKED",
]);


function transportError(url: string, error: unknown): ProtocolError {
  const code = errorCauseCode(error) ?? "UNKNOWN";
  const reason = error instanceof Error ? error.message : String(error);
  const registryCode: ErrorCode = TLS_CODES.has(code) ? "MDE2_SERVER_CERTIFICATE_INVALID" : "MDE2_SERVER_UNREACHABLE";
  return new ProtocolError(registryCode, `${url}: ${code} ${reason}`, { cause: error });
}

/** The registry code of an HTTP error status that came without a SOAP fault. */
function statusError(url: string, status: number): ProtocolError {
  const code: ErrorCode =
    status >= 500 ? "MDE2_ENROLLMENT_SERVER" : status === 401 || status === 403 ? "MDE2_AUTHENTICATION" : status === 404 ? "NOT_FOUND" : "MDE2_RESPONSE_INVALID";
  return new ProtocolError(code, `${url}: HTTP ${status}`);
}


async function send(
  url: string,
  options: { method: "GET" | "POST"; body?: string },
  exchange: SoapExchange,
): Promise<{ status: number; contentType: string; body: Buffer }> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: options.method,
      headers: {
        "user-agent": ENROLLMENT_USER_AGENT,
        ...(options.body === undefined ? {} : { "content-type": SOAP_MEDIA_TYPE }),
      },
      ...(options.body === undefined ? {} : { body: options.body }),
      dispatcher: exchange.dispatcher,
      headersTimeout: exchange.timeoutMs,
      bodyTimeout: exchange.timeoutMs,
    });
  } catch (error) {
    throw transportError(url, error);
  }
  let body: Buffer;
  try {
    const read = await readBodyWithin(response.body, MDE2_MAX_MESSAGE_BYTES);
    if (read === undefined) throw new ProtocolError("MDE2_RESPONSE_INVALID", `${url}: answer larger than ${MDE2_MAX_MESSAGE_BYTES} bytes`);
    body = read;
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw transportError(url, error);
  }
  return { status: response.statusCode, contentType: String(response.headers["content-type"] ?? "").toLowerCase(), body };
}

/** Windows' GET of the discovery URL before it POSTs (MS-MDE2 §3.1.4.1): the server answers 200. */
export async function probeDiscovery(url: string, exchange: SoapExchange): Promise<void> {
  const { status } = await send(url, { method: "GET" }, exchange);
  if (status < 200 || status >= 300) throw statusError(url, status);
}

/** The fault a body carries, if it is a SOAP fault. */
function faultIn(body: Buffer): ProtocolError | undefined {
  if (!body.includes("Fault")) return undefined;
  try {
    return faultError(parseFault(body));
  } catch {
    return undefined;
  }
}

/**
 * POSTs a SOAP envelope and returns the answer's body.
 * @throws ProtocolError: the server's fault as its MS-MDE2 code (whatever the HTTP status), an error status
 *   without a fault by status, a success that is not `application/soap+xml` as MDE2_RESPONSE_INVALID.
 */
export async function postSoap(url: string, envelope: string, exchange: SoapExchange): Promise<Buffer> {
  const { status, contentType, body } = await send(url, { method: "POST", body: envelope }, exchange);
  const fault = faultIn(body);
  if (fault !== undefined) throw fault;
  if (status < 200 || status >= 300) throw statusError(url, status);
  if (!contentType.startsWith("application/soap+xml")) {
    throw new ProtocolError("MDE2_RESPONSE_INVALID", `${url}: answer is ${contentType || "untyped"}, not application/soap+xml`);
  }
  return body;
}
