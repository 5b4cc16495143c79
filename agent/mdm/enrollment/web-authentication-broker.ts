/**
 * Federated MDM enrollment's sign-in, done the way Windows' web authentication broker does it (MS-MDE2 §3.2; memdocs
 * "Federated authentication device enrollment"): discovery names the AuthenticationServiceUrl; the broker opens it
 * with `appru` (the enrolling app's `ms-app://` address) and `login_hint`, the user fills in the page's form, and the
 * page's answer posts `wresult` to `appru` — the broker stops there and hands `wresult` to the enrollment client as
 * its security token. Pages are read as the service writes them: forms with double-quoted, HTML-escaped attributes.
 */
import { request, type Dispatcher } from "undici";
import { readBodyWithin } from "../../../lib/index.js";
import {
  MDE2_PATHS,
  ProtocolError,
  SIGN_IN_LIMITS,
  buildDiscoverRequest,
  newMessageId,
  parseDiscoverResponse,
  type DiscoverResponse,
} from "../../../protocol/index.js";
import { postSoap, probeDiscovery } from "./soap-transport.js";

/** The `appru` Windows' enrollment app passes (the address MS-MDE2 §3.2's example page posts to). */
export const DEFAULT_ENROLLMENT_APPRU = "ms-app://windows.immersivecontrolpanel";
const MAX_PAGE_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const BROKER_USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; MSAuthHost/1.0)";

/** How the broker's requests go out. */
export interface BrokerExchange {
  readonly dispatcher: Dispatcher;
  /** Headers and body deadline of one request, ms; default 30 s. */
  readonly timeoutMs?: number;
}

/** One form of a page: where it posts and its fields with their values. */
export interface PageForm {
  readonly id: string | undefined;
  readonly action: string;
  readonly fields: ReadonlyMap<string, string>;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", apos: "'" };

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|apos);/g, (_match, name: string) => ENTITIES[name]!);
}

function attributesOf(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"/g)) attributes.set(match[1]!.toLowerCase(), unescapeHtml(match[2]!));
  return attributes;
}

/** The forms of a page, with the named inputs inside each. */
export function formsOf(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const form = attributesOf(match[1]!);
    const fields = new Map<string, string>();
    for (const input of match[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const attributes = attributesOf(input[1]!);
      const name = attributes.get("name");
      if (name !== undefined) fields.set(name, attributes.get("value") ?? "");
    }
    forms.push({ id: form.get("id"), action: form.get("action") ?? "", fields });
  }
  return forms;
}

/** The registry code a page's alert carries (`data-error-code`), if any. */
function pageErrorCode(html: string): string | undefined {
  return /data-error-code="([A-Z0-9_]{1,64})"/.exec(html)?.[1];
}

function failureOfPage(url: string, status: number, html: string): ProtocolError {
  const code = pageErrorCode(html);
  if (code === "SIGN_IN_INVALID_CREDENTIALS" || code === "FEDERATED_APPRU_INVALID") return new ProtocolError(code, url);
  if (status >= 500) return new ProtocolError("MDE2_SERVER_UNREACHABLE", `${url}: HTTP ${status}`);
  return new ProtocolError("MALFORMED_RESPONSE", `${url}: HTTP ${status} without a sign-in outcome`);
}

async function load(url: string, init: { method: "GET" | "POST"; form?: URLSearchParams }, exchange: BrokerExchange): Promise<{ status: number; html: string }> {
  const timeoutMs = exchange.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      method: init.method,
      dispatcher: exchange.dispatcher,
      headers: {
        "user-agent": BROKER_USER_AGENT,
        accept: "text/html",
        ...(init.form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
      },
      ...(init.form === undefined ? {} : { body: init.form.toString() }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (error) {
    throw new ProtocolError("MDE2_SERVER_UNREACHABLE", url, { cause: error });
  }
  let page: Buffer | undefined;
  try {
    page = await readBodyWithin(response.body, MAX_PAGE_BYTES);
  } catch (error) {
    throw new ProtocolError("MDE2_SERVER_UNREACHABLE", url, { cause: error });
  }
  if (page === undefined) throw new ProtocolError("MALFORMED_RESPONSE", `${url}: page larger than ${MAX_PAGE_BYTES} bytes`);
  return { status: response.statusCode, html: page.toString("utf8") };
}

/** Options of {@link signInAtAuthenticationPage}. */
export interface BrokerSignInOptions {
  /** The AuthenticationServiceUrl discovery returned (https). */
  readonly authenticationServiceUrl: string;
  readonly upn: string;
  /** A secret: sent in the page's form only, never logged. */
  readonly password: string;
  /** Default {@link DEFAULT_ENROLLMENT_APPRU}. */
  readonly appru?: string;
}

/**
 * Opens the authentication page, fills in its sign-in form and returns the `wresult` its answer posts to `appru`.
 * @throws ProtocolError SIGN_IN_INVALID_CREDENTIALS (the page refused the password), FEDERATED_APPRU_INVALID,
 *   MDE2_SERVER_UNREACHABLE, or MALFORMED_RESPONSE for a page without the expected form.
 */
export async function signInAtAuthenticationPage(options: BrokerSignInOptions, exchange: BrokerExchange): Promise<string> {
  const appru = options.appru ?? DEFAULT_ENROLLMENT_APPRU;
  const start = new URL(options.authenticationServiceUrl);
  if (start.protocol !== "https:") throw new ProtocolError("MDE2_RESPONSE_INVALID", "AuthenticationServiceUrl is not an https URL");
  start.searchParams.set("appru", appru);
  start.searchParams.set("login_hint", options.upn);

  const first = await load(start.href, { method: "GET" }, exchange);
  if (first.status !== 200) throw failureOfPage(start.href, first.status, first.html);
  const signInForm = formsOf(first.html).find((form) => form.fields.has("password"));
  if (signInForm === undefined) throw new ProtocolError("MALFORMED_RESPONSE", `${start.href}: no sign-in form`);
  const target = new URL(signInForm.action, start);
  // the broker only follows the page to its own origin; the token must never go elsewhere
  if (target.origin !== start.origin) throw new ProtocolError("MALFORMED_RESPONSE", `${start.href}: the sign-in form posts to another origin`);
  const form = new URLSearchParams([...signInForm.fields]);
  form.set("upn", options.upn);
  form.set("password", options.password);

  const answer = await load(target.href, { method: "POST", form }, exchange);
  if (answer.status !== 200) throw failureOfPage(target.href, answer.status, answer.html);
  const wresult = formsOf(answer.html).find((candidate) => candidate.action === appru)?.fields.get("wresult");
  if (wresult === undefined || wresult.length === 0 || wresult.length > SIGN_IN_LIMITS.maxTokenChars) {
    throw new ProtocolError("MALFORMED_RESPONSE", `${target.href}: the answer posts no wresult to ${appru}`);
  }
  return wresult;
}

/**
 * MS-MDE2 discovery for a Federated enrollment of `upn`: the AuthenticationServiceUrl the server names.
 * @throws ProtocolError MDE2_RESPONSE_INVALID when the server does not choose Federated or names no page; the
 *   server's fault or a transport failure otherwise.
 */
export async function discoverAuthenticationServiceUrl(serverUrl: string, upn: string, exchange: BrokerExchange): Promise<string> {
  const soapExchange = { dispatcher: exchange.dispatcher, timeoutMs: exchange.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const discoveryUrl = new URL(MDE2_PATHS.discovery, serverUrl).href;
  await probeDiscovery(discoveryUrl, soapExchange);
  const messageId = newMessageId();
  const envelope = buildDiscoverRequest({
    messageId,
    to: discoveryUrl,
    emailAddress: upn,
    requestVersion: "4.0",
    deviceType: "CIMClient_Windows",
    applicationVersion: "10.0.19043.2364",
    osEdition: "48",
    authPolicies: ["Federated"],
  });
  const body = await postSoap(discoveryUrl, envelope, soapExchange);
  let answer: DiscoverResponse;
  try {
    answer = parseDiscoverResponse(body);
  } catch (error) {
    if (error instanceof ProtocolError) throw new ProtocolError("MDE2_RESPONSE_INVALID", `DiscoverResponse: ${error.message}`, { cause: error });
    throw error;
  }
  if (answer.relatesTo !== messageId) throw new ProtocolError("MDE2_RESPONSE_INVALID", "DiscoverResponse relates to another request");
  if (answer.authPolicy !== "Federated" || answer.authenticationServiceUrl === undefined) {
    throw new ProtocolError("MDE2_RESPONSE_INVALID", `discovery chose ${answer.authPolicy} without an AuthenticationServiceUrl`);
  }
  return answer.authenticationServiceUrl;
}
