import type { KeyObject } from "node:crypto";
import { request } from "undici";
import { createHttpsAgent } from "../../lib/index.js";
import { ProtocolError, errorDefinition, normalizeBaseUrl, parseErrorBody, type ErrorCode } from "../../protocol/index.js";
import type { PublishedEkCertificateDocument, VendorFaultsDocument } from "./admin-routes.js";

/** Where the vendor admin API runs and how to reach it. */
export interface VendorAdminClientOptions {
  /** Base URL `apsim up` printed. */
  readonly serverUrl: string;
  readonly adminToken: string;
  /** PEM trust anchors: the home's local TLS CA (loadTlsTrust). */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

async function call<T>(
  options: VendorAdminClientOptions,
  method: "GET" | "PUT" | "DELETE" | "POST",
  path: string,
  body?: { type: string; data: string | Uint8Array },
): Promise<T> {
  const dispatcher = createHttpsAgent({ connections: 1, timeoutMs: options.timeoutMs ?? 30_000, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  try {
    const answer = await request(new URL(path, normalizeBaseUrl(options.serverUrl)), {
      method,
      dispatcher,
      headers: {
        authorization: `Bearer ${options.adminToken}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": body.type }),
      },
      ...(body === undefined ? {} : { body: typeof body.data === "string" ? body.data : Buffer.from(body.data) }),
    });
    const text = await answer.body.text();
    if (text.length > MAX_ANSWER_BYTES) throw new ProtocolError("BODY_TOO_LARGE", "admin answer too large");
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (answer.statusCode >= 200 && answer.statusCode < 300) return parsed as T;
    const error = parseErrorBody(parsed);
    const code: ErrorCode = error !== undefined && errorDefinition(error.code) !== undefined ? (error.code as ErrorCode) : "INTERNAL";
    throw new ProtocolError(code, `HTTP ${answer.statusCode} from ${path}${error === undefined ? "" : `: ${error.message}`}`);
  } finally {
    await dispatcher.close();
  }
}

function faultsPath(vendor: string): string {
  return `admin/vendors/${encodeURIComponent(vendor)}/faults`;
}

/** The faults of `vendor` at a running server. */
export function getVendorFaults(options: VendorAdminClientOptions, vendor: string): Promise<VendorFaultsDocument> {
  return call(options, "GET", faultsPath(vendor));
}

/** Replaces the faults of `vendor` at a running server (texts as parseVendorFaultSpec reads them). */
export function setVendorFaults(options: VendorAdminClientOptions, vendor: string, faults: readonly string[]): Promise<VendorFaultsDocument> {
  return call(options, "PUT", faultsPath(vendor), { type: "application/json", data: JSON.stringify({ faults }) });
}

/** Switches every fault of `vendor` off at a running server. */
export function clearVendorFaults(options: VendorAdminClientOptions, vendor: string): Promise<VendorFaultsDocument> {
  return call(options, "DELETE", faultsPath(vendor));
}

/** Publishes an EK certificate (DER) at `vendor`'s service of a running server; `ekPublicKey` when not its own key. */
export function publishEkCertificateAt(
  options: VendorAdminClientOptions,
  vendor: string,
  der: Uint8Array,
  ekPublicKey?: KeyObject,
): Promise<PublishedEkCertificateDocument> {
  const query = ekPublicKey === undefined ? "" : `?ek=${ekPublicKey.export({ type: "spki", format: "der" }).toString("base64url")}`;
  return call(options, "POST", `admin/vendors/${encodeURIComponent(vendor)}/ek-certificates${query}`, { type: "application/pkix-cert", data: der });
}
