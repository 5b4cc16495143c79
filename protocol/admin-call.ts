/**
 * One call of a service's admin API (REST JSON behind the bearer admin token), as the CLI and fleets make it: the
 * answer parsed, a refusal turned back into the registry error the service sent.
 */
import { request } from "undici";
import { createHttpsAgent } from "../lib/index.js";
import { ProtocolError, errorDefinition, parseErrorBody, type ErrorCode } from "./errors.js";
import { normalizeBaseUrl } from "./virtual-hosts.js";

/** Where an admin API runs and how to reach it. */
export interface AdminApiOptions {
  /** Base URL `apsim up` printed. */
  readonly serverUrl: string;
  readonly adminToken: string;
  /** PEM trust anchors: the home's local TLS CA (loadTlsTrust). */
  readonly ca?: string;
  readonly timeoutMs?: number;
}

/** A request body and its media type. */
export interface AdminApiBody {
  readonly type: string;
  readonly data: string | Uint8Array;
}

/**
 * Calls `method path` (relative to the base URL) and returns the parsed JSON answer, or its text with `raw`.
 * @throws ProtocolError with the service's registry code (INTERNAL for a code this version does not know),
 *   BODY_TOO_LARGE for an answer above `maxAnswerBytes`.
 */
export async function callAdminApi<T>(
  options: AdminApiOptions,
  method: "GET" | "PUT" | "DELETE" | "POST" | "PATCH",
  path: string,
  settings: { readonly body?: AdminApiBody; readonly maxAnswerBytes: number; readonly raw?: boolean },
): Promise<T> {
  const { body } = settings;
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
    if (text.length > settings.maxAnswerBytes) throw new ProtocolError("BODY_TOO_LARGE", "admin answer too large");
    let parsed: unknown;
    try {
      parsed = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (answer.statusCode >= 200 && answer.statusCode < 300) return (settings.raw === true ? text : parsed) as T;
    const error = parseErrorBody(parsed);
    const code: ErrorCode = error !== undefined && errorDefinition(error.code) !== undefined ? (error.code as ErrorCode) : "INTERNAL";
    throw new ProtocolError(code, `HTTP ${answer.statusCode} from ${path}${error === undefined ? "" : `: ${error.message}`}`);
  } finally {
    await dispatcher.close();
  }
}
