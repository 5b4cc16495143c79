/**
 * What every response must look like, whatever the input: a well-formed frame (size field equal to its length, a
 * valid tag), an error as a bare 10-byte header, and a success only for a command that parses as a known command,
 * whose response then parses exactly as that command's response declaration.
 */
import {
  COMMANDS_BY_CODE,
  HEADER_SIZE,
  Reader,
  TPM_RC,
  TPM_ST,
  TPMA_SESSION,
  TPMS_AUTH_RESPONSE,
  parseCommand,
  unmarshal,
  type CommandDef,
  type CommandFrame,
} from "../../tpm2/index.js";

/** A command as the TPM would parse it, or undefined when it is not a well-formed command of a known code. */
export interface ParsedCommand {
  def: CommandDef;
  frame: CommandFrame;
  /** Parameters decoded, unless they went encrypted. */
  params: Record<string, unknown> | undefined;
  decrypt: boolean;
  encrypt: boolean;
}

export function parseKnownCommand(input: Uint8Array): ParsedCommand | undefined {
  if (input.length < HEADER_SIZE) return undefined;
  const def = COMMANDS_BY_CODE.get(Buffer.from(input.buffer, input.byteOffset, input.length).readUInt32BE(6));
  if (!def) return undefined;
  let frame: CommandFrame;
  try {
    frame = parseCommand(input, def.handles.length);
  } catch {
    return undefined;
  }
  const decrypt = frame.sessions.some((s) => s.sessionAttributes & TPMA_SESSION.decrypt);
  const encrypt = frame.sessions.some((s) => s.sessionAttributes & TPMA_SESSION.encrypt);
  if (decrypt) return { def, frame, params: undefined, decrypt, encrypt };
  try {
    return { def, frame, params: unmarshal(def.params, frame.parameters) as Record<string, unknown>, decrypt, encrypt };
  } catch {
    return undefined;
  }
}

export interface ParsedResponse {
  rc: number;
  handle: number | undefined;
  /** Response parameters decoded (undefined for errors and encrypted responses). */
  response: Record<string, unknown> | undefined;
  sessionNonces: Buffer[];
}

/**
 * Checks a response against its input; returns the response parsed, or throws an Error saying what is wrong.
 */
export function checkResponse(input: Uint8Array, output: Uint8Array): ParsedResponse {
  if (!(output instanceof Uint8Array)) throw new Error("execute returned something other than bytes");
  if (output.length < HEADER_SIZE) throw new Error(`response of ${output.length} bytes, shorter than a header`);
  const out = Buffer.from(output.buffer, output.byteOffset, output.length);
  const tag = out.readUInt16BE(0);
  const size = out.readUInt32BE(2);
  const rc = out.readUInt32BE(6);
  if (size !== out.length) throw new Error(`response size field ${size} but ${out.length} bytes`);
  if (tag !== TPM_ST.NO_SESSIONS && tag !== TPM_ST.SESSIONS) throw new Error(`response tag 0x${tag.toString(16)}`);
  if (rc > 0xfff) throw new Error(`response code 0x${rc.toString(16)} is outside the TPM layer`);
  if (rc !== TPM_RC.SUCCESS) {
    if (out.length !== HEADER_SIZE) throw new Error(`error 0x${rc.toString(16)} with a ${out.length}-byte response`);
    if (tag !== TPM_ST.NO_SESSIONS) throw new Error(`error 0x${rc.toString(16)} tagged TPM_ST_SESSIONS`);
    return { rc, handle: undefined, response: undefined, sessionNonces: [] };
  }

  const cmd = parseKnownCommand(input);
  if (!cmd) throw new Error("success for an input that is not a well-formed command of a known code");
  if (tag !== cmd.frame.tag) throw new Error(`response tag 0x${tag.toString(16)} for a command tagged 0x${cmd.frame.tag.toString(16)}`);
  const r = new Reader(out, HEADER_SIZE);
  try {
    const handle = cmd.def.responseHandle !== undefined ? r.u32() : undefined;
    let parameters: Buffer;
    const sessionNonces: Buffer[] = [];
    if (tag === TPM_ST.SESSIONS) {
      parameters = r.bytes(r.u32());
      for (let i = 0; i < cmd.frame.sessions.length; i++) sessionNonces.push(Buffer.from(TPMS_AUTH_RESPONSE.read(r).nonce));
      if (r.remaining !== 0) throw new Error(`${r.remaining} bytes after the response sessions`);
    } else {
      parameters = r.bytes(r.remaining);
    }
    const response = cmd.encrypt ? undefined : (unmarshal(cmd.def.response, parameters) as Record<string, unknown>);
    return { rc, handle, response, sessionNonces };
  } catch (e) {
    throw new Error(`${cmd.def.name} response does not parse: ${(e as Error).message}`, { cause: e });
  }
}
