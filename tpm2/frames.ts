/**
 * Command and response framing (Part 1 §18.7–§18.10, Part 3 §5): header, handle area, authorization area,
 * parameter area. Parameters stay raw bytes here because cpHash/rpHash and parameter encryption work on them.
 */
import { Reader, Writer } from "./codec.js";
import { TPM_RC, TPM_ST } from "./constants.js";
import { TpmError } from "./errors.js";
import { TPMS_AUTH_COMMAND, TPMS_AUTH_RESPONSE } from "./structures.js";

export const HEADER_SIZE = 10;
const MAX_SESSIONS = 3;

export interface CommandFrame {
  tag: number;
  code: number;
  handles: number[];
  sessions: TPMS_AUTH_COMMAND[];
  parameters: Buffer;
}

export interface ResponseFrame {
  tag: number;
  rc: number;
  handle: number | undefined;
  parameters: Buffer;
  sessions: TPMS_AUTH_RESPONSE[];
}

/** Reads tag, size and code; the caller knows how many handles the code takes. */
export function readCommandHeader(bytes: Uint8Array): { tag: number; size: number; code: number } {
  if (bytes.length < HEADER_SIZE) throw new TpmError(TPM_RC.COMMAND_SIZE);
  const r = new Reader(bytes);
  const tag = r.u16();
  const size = r.u32();
  const code = r.u32();
  if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS) throw new TpmError(TPM_RC.BAD_TAG);
  if (size !== bytes.length) throw new TpmError(TPM_RC.COMMAND_SIZE);
  return { tag, size, code };
}

/**
 * Splits a command into handles, sessions and parameters (Part 3 §5.2 order of checks: handles, then the
 * authorization area's size and each session).
 */
export function parseCommand(bytes: Uint8Array, handleCount: number): CommandFrame {
  const { tag, code } = readCommandHeader(bytes);
  const r = new Reader(bytes, HEADER_SIZE);
  const handles: number[] = [];
  for (let i = 0; i < handleCount; i++) {
    if (r.remaining < 4) throw new TpmError(TPM_RC.INSUFFICIENT).at("handle", i + 1);
    handles.push(r.u32());
  }
  const sessions: TPMS_AUTH_COMMAND[] = [];
  if (tag === TPM_ST.SESSIONS) {
    if (r.remaining < 4) throw new TpmError(TPM_RC.AUTHSIZE);
    const authSize = r.u32();
    // Part 1 §18.7: the smallest session is 9 bytes
    if (authSize < 9 || authSize > r.remaining) throw new TpmError(TPM_RC.AUTHSIZE);
    const end = r.offset + authSize;
    const auth = new Reader(bytes, r.offset, end);
    while (auth.remaining > 0) {
      if (sessions.length === MAX_SESSIONS) throw new TpmError(TPM_RC.AUTHSIZE);
      try {
        sessions.push(TPMS_AUTH_COMMAND.read(auth));
      } catch (e) {
        if (e instanceof TpmError) throw new TpmError(TPM_RC.AUTHSIZE);
        throw e;
      }
    }
    r.offset = end;
  }
  return { tag, code, handles, sessions, parameters: r.bytes(r.remaining) };
}

/** Builds a command (the client side of parseCommand). */
export function buildCommand(
  code: number,
  handles: readonly number[],
  sessions: readonly TPMS_AUTH_COMMAND[],
  parameters: Uint8Array,
): Buffer {
  const w = new Writer(HEADER_SIZE + 4 * handles.length + parameters.length + 64);
  w.u16(sessions.length ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS);
  w.u32(0);
  w.u32(code);
  for (const h of handles) w.u32(h);
  if (sessions.length) {
    const at = w.length;
    w.u32(0);
    for (const s of sessions) TPMS_AUTH_COMMAND.write(w, s);
    w.patchU32(at, w.length - at - 4);
  }
  w.bytes(parameters);
  w.patchU32(2, w.length);
  return w.finish();
}

/** An error response: header only, tag TPM_ST_NO_SESSIONS (Part 1 §18.10). */
export function buildErrorResponse(rc: number): Buffer {
  const w = new Writer(HEADER_SIZE);
  w.u16(TPM_ST.NO_SESSIONS);
  w.u32(HEADER_SIZE);
  w.u32(rc);
  return w.finish();
}

/** A successful response: handle, then parameterSize when the command had sessions, parameters, sessions. */
export function buildResponse(
  withSessions: boolean,
  handle: number | undefined,
  parameters: Uint8Array,
  sessions: readonly TPMS_AUTH_RESPONSE[],
): Buffer {
  const w = new Writer(HEADER_SIZE + 8 + parameters.length + 80 * sessions.length);
  w.u16(withSessions ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS);
  w.u32(0);
  w.u32(TPM_RC.SUCCESS);
  if (handle !== undefined) w.u32(handle);
  if (withSessions) w.u32(parameters.length);
  w.bytes(parameters);
  for (const s of sessions) TPMS_AUTH_RESPONSE.write(w, s);
  w.patchU32(2, w.length);
  return w.finish();
}

/** Parses a response (the client side of buildResponse). */
export function parseResponse(bytes: Uint8Array, hasHandle: boolean, sessionCount: number): ResponseFrame {
  const r = new Reader(bytes);
  const tag = r.u16();
  const size = r.u32();
  const rc = r.u32();
  if (size !== bytes.length) throw new TpmError(TPM_RC.SIZE, { field: "responseSize" });
  if (rc !== TPM_RC.SUCCESS) return { tag, rc, handle: undefined, parameters: Buffer.alloc(0), sessions: [] };
  const handle = hasHandle ? r.u32() : undefined;
  if (tag !== TPM_ST.SESSIONS) return { tag, rc, handle, parameters: r.bytes(r.remaining), sessions: [] };
  const parameters = r.bytes(r.u32());
  const sessions: TPMS_AUTH_RESPONSE[] = [];
  for (let i = 0; i < sessionCount; i++) sessions.push(TPMS_AUTH_RESPONSE.read(r));
  return { tag, rc, handle, parameters, sessions };
}
