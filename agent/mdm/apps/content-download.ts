/**
 * App content as the device fetches it: over HTTPS (with the enrollment's client certificate when the dispatcher
 * carries one), bounded in size, and checked against the SHA-256 the server announced before anything runs.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { request, type Dispatcher } from "undici";
import { readBodyWithin } from "../../../lib/index.js";

/** Most bytes of one content download. */
export const MAX_CONTENT_BYTES = 64 * 1024 * 1024;

/** TRUST_E_BAD_DIGEST: the content's hash is not the one announced (what Windows reports for a hash mismatch). */
export const HRESULT_BAD_DIGEST = 0x80091007 | 0;
/** ERROR_INTERNET_CANNOT_CONNECT as HRESULT: the content could not be fetched. */
export const HRESULT_CANNOT_CONNECT = 0x80072efd | 0;

/** A download: its bytes, or why there are none (a signed HRESULT). */
export type DownloadResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly hresult: number; readonly detail: string };

/** HTTP_E_STATUS_* for an HTTP status (0x801901xx). */
function hresultOfHttpStatus(status: number): number {
  return (0x80190000 | status) | 0;
}

/** Fetches `url` and checks its SHA-256 against `sha256Hex` (either case). */
export async function downloadVerified(url: string, sha256Hex: string, dispatcher: Dispatcher): Promise<DownloadResult> {
  if (!url.startsWith("https://")) return { ok: false, hresult: HRESULT_CANNOT_CONNECT, detail: "content URLs must be https" };
  let bytes: Buffer;
  try {
    const answer = await request(url, { dispatcher });
    if (answer.statusCode !== 200) {
      await answer.body.dump();
      return { ok: false, hresult: hresultOfHttpStatus(answer.statusCode), detail: `HTTP ${answer.statusCode}` };
    }
    const read = await readBodyWithin(answer.body, MAX_CONTENT_BYTES);
    if (read === undefined) return { ok: false, hresult: HRESULT_CANNOT_CONNECT, detail: `content exceeds ${MAX_CONTENT_BYTES} bytes` };
    bytes = read;
  } catch (error) {
    return { ok: false, hresult: HRESULT_CANNOT_CONNECT, detail: error instanceof Error ? error.message : String(error) };
  }
  const expected = Buffer.from(sha256Hex, "hex");
  const actual = createHash("sha256").update(bytes).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, hresult: HRESULT_BAD_DIGEST, detail: "the content's SHA-256 is not the one announced" };
  return { ok: true, bytes };
}
