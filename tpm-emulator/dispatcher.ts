/**
 * Command execution (Part 3 §5 order of checks): header, command code, handles, authorization, parameter
 * decryption and unmarshal, the handler, then the response with encrypted parameters and session HMACs.
 * Every input yields a response; a handler validates before it changes state, so a failure changes nothing.
 */
import {
  COMMANDS,
  Reader,
  TPM_RC,
  TPM_SE,
  TPM_ST,
  TPMA_SESSION,
  TPM_ALG,
  TpmError,
  Writer,
  buildErrorResponse,
  buildResponse,
  decryptParameterCfb,
  encryptParameterCfb,
  parseCommand,
  readCommandHeader,
  xorParameter,
  type CommandName,
} from "../tpm2/index.js";
import { createLogger } from "../lib/index.js";
import { authorizeCommand, buildResponseAuths, rollNonces, type SessionUse } from "./authorization.js";
import type { CommandEntry } from "./commands/registry.js";
import type { Tpm } from "./tpm.js";

const log = createLogger("tpm-emulator");

/** Checks a handle in the handle area refers to something that exists (Part 3 §5.6.3). */
function checkHandle(tpm: Tpm, handle: number, n: number): void {
  const top = handle >>> 24;
  let ok: boolean;
  switch (top) {
    case 0x80:
    case 0x02:
    case 0x03:
      // Part 3 §5.6.3 / libtpms: a transient object or session that is not loaded is TPM_RC_REFERENCE_H0 + index
      if (top === 0x80 ? !tpm.object(handle) : !tpm.sessions.loaded(handle)) throw new TpmError(TPM_RC.REFERENCE_H0 + n - 1);
      if (top === 0x80 && !tpm.hierarchy(tpm.object(handle)!.hierarchy)?.enabled) throw new TpmError(TPM_RC.HIERARCHY).at("handle", n);
      ok = true;
      break;
    case 0x81: {
      const o = tpm.object(handle);
      ok = o !== undefined;
      if (o && !tpm.hierarchy(o.hierarchy)?.enabled) throw new TpmError(TPM_RC.HIERARCHY).at("handle", n);
      break;
    }
    case 0x01:
      ok = tpm.nvIndex(handle) !== undefined;
      break;
    case 0x00:
      ok = handle < 24;
      if (!ok) throw new TpmError(TPM_RC.VALUE).at("handle", n);
      break;
    case 0x40: {
      const h = tpm.hierarchy(handle);
      if (h && !h.enabled) throw new TpmError(TPM_RC.HIERARCHY).at("handle", n);
      ok = true;
      break;
    }
    default:
      ok = false;
  }
  if (!ok) throw new TpmError(TPM_RC.HANDLE).at("handle", n);
}

function parameterCipher(use: SessionUse, nonceNewer: Buffer, nonceOlder: Buffer) {
  const s = use.session!;
  return { hashAlg: s.authHash, sessionKey: s.sessionKey, authValue: use.cipherAuthValue, nonceNewer, nonceOlder };
}

/** Decrypts/encrypts the data of the leading TPM2B of a parameter area (Part 1 §21). */
function transformFirstParameter(area: Buffer, transform: (data: Buffer) => Buffer): Buffer {
  if (area.length < 2) throw new TpmError(TPM_RC.SIZE).at("parameter", 1);
  const size = area.readUInt16BE(0);
  if (size > area.length - 2) throw new TpmError(TPM_RC.SIZE).at("parameter", 1);
  const out = Buffer.from(area);
  transform(area.subarray(2, 2 + size)).copy(out, 2);
  return out;
}

function cipherSession(uses: readonly SessionUse[], bit: number): SessionUse | undefined {
  const found = uses.filter((u) => u.attributes & bit);
  if (found.length > 1) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", found[1]!.index);
  const use = found[0];
  if (use && (!use.session || use.session.symmetric.algorithm === TPM_ALG.NULL)) {
    throw new TpmError(TPM_RC.SYMMETRIC).at("session", use.index);
  }
  return use;
}

function applyCipher(use: SessionUse, data: Buffer, newer: Buffer, older: Buffer, encrypt: boolean): Buffer {
  const s = use.session!;
  const ctx = parameterCipher(use, newer, older);
  if (s.symmetric.algorithm === TPM_ALG.XOR) return xorParameter(ctx, data);
  const bits = s.symmetric.keyBits as number;
  return encrypt ? encryptParameterCfb(ctx, bits, data) : decryptParameterCfb(ctx, bits, data);
}

/** Runs one command against `tpm`. Never throws: any failure is a response code. */
export function dispatch(tpm: Tpm, table: ReadonlyMap<number, CommandEntry>, command: Uint8Array): Buffer {
  try {
    return run(tpm, table, command);
  } catch (e) {
    if (e instanceof TpmError) return buildErrorResponse(e.responseCode);
    // A bug must not take the TPM down with it: report a failure and log it, it is ours to fix.
    log.error({ err: e, commandCode: command.length >= 10 ? Buffer.from(command).readUInt32BE(6) : undefined }, "internal error in a TPM command");
    return buildErrorResponse(TPM_RC.FAILURE);
  }
}

function run(tpm: Tpm, table: ReadonlyMap<number, CommandEntry>, command: Uint8Array): Buffer {
  const header = readCommandHeader(command);
  const entry = table.get(header.code);
  if (!entry) throw new TpmError(TPM_RC.COMMAND_CODE);
  const def = entry.def;
  // Part 3 §9.3: only Startup before Startup, and Startup only once
  if (tpm.started === (def.code === COMMANDS.Startup.code)) throw new TpmError(TPM_RC.INITIALIZE);

  const frame = parseCommand(command, def.handles.length);
  frame.handles.forEach((h, i) => checkHandle(tpm, h, i + 1));
  if (def.authCount > 0 && frame.tag !== TPM_ST.SESSIONS) throw new TpmError(TPM_RC.AUTH_MISSING);

  const uses = authorizeCommand(tpm, def.code, frame.handles, def.roles, def.authCount, frame.sessions, frame.parameters);

  let parameters = frame.parameters;
  const decrypt = cipherSession(uses, TPMA_SESSION.decrypt);
  if (decrypt) {
    if (!def.decryptAllowed) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", decrypt.index);
    const s = decrypt.session!;
    parameters = transformFirstParameter(parameters, (d) => applyCipher(decrypt, d, decrypt.nonceCaller, s.nonceTPM, false));
  }
  const encrypt = cipherSession(uses, TPMA_SESSION.encrypt);
  if (encrypt && !def.encryptAllowed) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", encrypt.index);

  const r = new Reader(parameters);
  const params: Record<string, unknown> = {};
  def.paramFields.forEach(([name, schema], i) => {
    try {
      params[name] = schema.read(r, params);
    } catch (e) {
      if (e instanceof TpmError) throw e.at("parameter", i + 1);
      throw e;
    }
  });
  if (r.remaining !== 0) throw new TpmError(TPM_RC.SIZE);

  const authSessions = frame.handles.map((_, i) => {
    const s = uses[i]?.session;
    return s && s.type !== TPM_SE.HMAC && i < def.authCount ? s : undefined;
  });
  const out = entry.handler(tpm, {
    handles: frame.handles,
    params: params,
    ctx: { code: def.code, locality: tpm.locality, authSessions },
  });

  const w = new Writer();
  def.response.write(w, out.response);
  let responseParameters = w.finish();

  rollNonces(tpm, uses);
  if (encrypt) {
    const s = encrypt.session!;
    responseParameters = transformFirstParameter(responseParameters, (d) =>
      applyCipher(encrypt, d, s.nonceTPM, encrypt.nonceCaller, true),
    );
  }
  const auths = buildResponseAuths(tpm, def.code, responseParameters, uses);
  for (const use of uses) {
    if (use.session && !(use.attributes & TPMA_SESSION.continueSession)) tpm.sessions.remove(use.handle);
  }
  if (entry.writesNv) tpm.persist();
  return buildResponse(frame.tag === TPM_ST.SESSIONS, def.responseHandle ? out.handle : undefined, responseParameters, auths);
}

export type { CommandName };
