/**
 * Command execution (Part 3 §5 order of checks): header, command code, handles, authorization, parameter
 * decryption and unmarshal, the handler, then the response with encrypted parameters and session HMACs.
 * Every input yields a response; a handler validates before it changes state, so a failure changes nothing.
 */
import {
  COMMANDS,
  Reader,
  TPM_CC,
  TPM_HT,
  TPM_RH,
  TPM_RC,
  TPM_SE,
  TPM_ST,
  TPM_SU,
  TPMA_SESSION,
  TPM_ALG,
  TpmError,
  Writer,
  buildErrorResponse,
  buildResponse,
  decryptParameterCfb,
  encryptParameterCfb,
  cpHash as computeCpHash,
  digestSize,
  parseCommand,
  readCommandHeader,
  rpHash as computeRpHash,
  xorParameter,
  type CommandDef,
  type CommandName,
} from "../tpm2/index.js";
import { createLogger } from "../lib/index.js";
import { authorizeCommand, buildResponseAuths, healDictionaryAttack, rollNonces, type SessionUse } from "./authorization.js";
import { auditState, commandAudit, extendAuditDigest, isCommandAudited } from "./commands/audit/audit-state.js";
import { applyPendingPcrAllocation } from "./commands/pcr/pcr-allocate.js";
import type { CommandEntry } from "./commands/registry.js";
import { resetPolicy } from "./sessions.js";
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

type HandleKind = NonNullable<CommandDef["handleKinds"][number]>[number];

/**
 * Part 2 §9 interface types of the handle area for the commands whose definitions predate `handleKinds` (the
 * reference checks these while unmarshalling the handles, before any handle is looked up).
 */
const OBJECT: readonly HandleKind[] = ["object"];
const OBJECT_OR_NULL: readonly HandleKind[] = ["object", "null"];
const ENTITY: readonly HandleKind[] = ["owner", "endorsement", "platform", "lockout", "object", "nv", "pcr"];
const POLICY_SESSION: readonly HandleKind[] = ["policySession"];
const PROVISION: readonly HandleKind[] = ["owner", "platform"];
const NV_AUTH: readonly HandleKind[] = ["owner", "platform", "nv"];
const NV_INDEX: readonly HandleKind[] = ["nv"];
const LEGACY_HANDLE_KINDS: Partial<Record<CommandName, readonly (readonly HandleKind[])[]>> = {
  StartAuthSession: [OBJECT_OR_NULL, [...ENTITY, "null"]],
  PolicyRestart: [POLICY_SESSION],
  Create: [OBJECT],
  Load: [OBJECT],
  ReadPublic: [OBJECT],
  ActivateCredential: [OBJECT, OBJECT],
  MakeCredential: [OBJECT],
  Certify: [OBJECT, OBJECT_OR_NULL],
  CertifyCreation: [OBJECT_OR_NULL, OBJECT],
  Quote: [OBJECT_OR_NULL],
  VerifySignature: [OBJECT],
  Sign: [OBJECT],
  PCR_Extend: [["pcr", "null"]],
  PCR_Event: [["pcr", "null"]],
  PCR_Reset: [["pcr"]],
  PolicySecret: [ENTITY, POLICY_SESSION],
  PolicyPCR: [POLICY_SESSION],
  PolicyCommandCode: [POLICY_SESSION],
  PolicyAuthValue: [POLICY_SESSION],
  PolicyPassword: [POLICY_SESSION],
  PolicyGetDigest: [POLICY_SESSION],
  CreatePrimary: [["owner", "endorsement", "platform", "null"]],
  HierarchyChangeAuth: [["owner", "endorsement", "platform", "lockout"]],
  Clear: [["lockout", "platform"]],
  ContextSave: [["transient", "hmacSession", "policySession"]],
  EvictControl: [PROVISION, OBJECT],
  NV_DefineSpace: [PROVISION],
  NV_UndefineSpace: [PROVISION, NV_INDEX],
  NV_ReadPublic: [NV_INDEX],
  NV_Write: [NV_AUTH, NV_INDEX],
  NV_Read: [NV_AUTH, NV_INDEX],
};

function isKind(handle: number, kind: HandleKind): boolean {
  const top = handle >>> 24;
  switch (kind) {
    case "owner":
      return handle === TPM_RH.OWNER;
    case "endorsement":
      return handle === TPM_RH.ENDORSEMENT;
    case "platform":
      return handle === TPM_RH.PLATFORM;
    case "lockout":
      return handle === TPM_RH.LOCKOUT;
    case "null":
      return handle === TPM_RH.NULL;
    case "object":
      return top === TPM_HT.TRANSIENT || top === TPM_HT.PERSISTENT;
    case "transient":
      return top === TPM_HT.TRANSIENT;
    case "nv":
      return top === TPM_HT.NV_INDEX;
    case "pcr":
      return top === TPM_HT.PCR;
    case "hmacSession":
      return top === TPM_HT.HMAC_SESSION;
    case "policySession":
      return top === TPM_HT.POLICY_SESSION;
  }
}

/** The handle-area interface types, checked for every handle before any is looked up: TPM_RC_VALUE + handle n. */
function checkHandleKinds(def: CommandDef, handles: readonly number[]): void {
  const kinds = def.handleKinds.some((k) => k !== undefined) ? def.handleKinds : LEGACY_HANDLE_KINDS[def.name as CommandName];
  if (!kinds) return;
  handles.forEach((h, i) => {
    const allowed = kinds[i];
    if (allowed && !allowed.some((k) => isKind(h, k))) throw new TpmError(TPM_RC.VALUE).at("handle", i + 1);
  });
}

/** Commands that take no sessions at all (the reference's IsSessionAllowed false): they leave audit exclusivity alone. */
const NO_SESSION_COMMANDS: ReadonlySet<number> = new Set([TPM_CC.Startup, TPM_CC.ContextLoad, TPM_CC.ContextSave, TPM_CC.FlushContext]);

/**
 * UpdateAuditSessionStatus (Part 1 §19.6.?): the audit session's digest is extended with cpHash and rpHash; first
 * use or auditReset starts it at zeros and makes it the exclusive audit session; a command audited by another
 * session, or by none, ends exclusivity. The response reports exclusivity in auditExclusive.
 */
function updateSessionAudit(tpm: Tpm, code: number, uses: SessionUse[], responseParameters: Uint8Array): void {
  const state = auditState(tpm);
  let audited = false;
  for (const use of uses) {
    const s = use.session;
    if (!s || !(use.attributes & TPMA_SESSION.audit)) continue;
    audited = true;
    if (!s.isAudit || use.attributes & TPMA_SESSION.auditReset) {
      s.isAudit = true;
      s.boundEntity = undefined;
      s.auditDigest = Buffer.alloc(digestSize(s.authHash));
      state.exclusiveSession = use.handle;
    } else if (state.exclusiveSession !== use.handle) {
      state.exclusiveSession = undefined;
    }
    use.attributes =
      state.exclusiveSession === use.handle ? use.attributes | TPMA_SESSION.auditExclusive : use.attributes & ~TPMA_SESSION.auditExclusive;
    const rp = computeRpHash(s.authHash, TPM_RC.SUCCESS, code, responseParameters);
    s.auditDigest = extendAuditDigest(s.authHash, s.auditDigest ?? Buffer.alloc(digestSize(s.authHash)), use.cpHash ?? Buffer.alloc(0), rp);
  }
  if (!audited && !NO_SESSION_COMMANDS.has(code)) state.exclusiveSession = undefined;
}

/**
 * CommandAudit: extends the command audit digest with the audit hash as it is after the command (a new audit hash
 * has emptied the digest), starting a new digest, and counting it, when it is empty.
 */
function updateCommandAudit(tpm: Tpm, code: number, names: readonly Buffer[], parameters: Uint8Array, responseParameters: Uint8Array): void {
  const record = commandAudit(tpm);
  const alg = record.hashAlg;
  if (!record.digest) {
    record.digest = Buffer.alloc(digestSize(alg));
    record.counter++;
  }
  const cp = computeCpHash(alg, code, names, parameters);
  record.digest = extendAuditDigest(alg, record.digest, cp, computeRpHash(alg, TPM_RC.SUCCESS, code, responseParameters));
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
  checkHandleKinds(def, frame.handles);
  frame.handles.forEach((h, i) => checkHandle(tpm, h, i + 1));
  if (healDictionaryAttack(tpm)) tpm.persist();
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

  // the command audit cpHash is over the parameters as sent, and the Names before the command changes anything
  const commandAuditNames = isCommandAudited(tpm, def.code) ? frame.handles.map((h) => tpm.entityName(h)) : undefined;

  const authSessions = frame.handles.map((_, i) => {
    const s = uses[i]?.session;
    return s && s.type !== TPM_SE.HMAC && i < def.authCount ? s : undefined;
  });
  const out = entry.handler(tpm, {
    handles: frame.handles,
    params: params,
    ctx: { code: def.code, locality: tpm.locality, authSessions },
  });

  // Part 3 §22.5: an allocation made by TPM2_PCR_Allocate takes effect at the next Startup(CLEAR)
  if (def.code === TPM_CC.Startup && params.startupType === TPM_SU.CLEAR) applyPendingPcrAllocation(tpm);

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
  updateSessionAudit(tpm, def.code, uses, responseParameters);
  if (commandAuditNames) updateCommandAudit(tpm, def.code, commandAuditNames, frame.parameters, responseParameters);
  const auths = buildResponseAuths(tpm, def.code, responseParameters, uses);
  for (const use of uses) {
    const s = use.session;
    if (!s) continue;
    if (!(use.attributes & TPMA_SESSION.continueSession)) {
      tpm.sessions.remove(use.handle);
      if (auditState(tpm).exclusiveSession === use.handle) auditState(tpm).exclusiveSession = undefined;
    } else if (s.type === TPM_SE.POLICY && use.authorizes !== undefined) {
      // UpdateInternalSession: a policy session that authorized starts over, with a new timing interval
      resetPolicy(s);
      s.startTime = tpm.time();
    }
  }
  if (entry.writesNv || commandAuditNames) tpm.persist();
  return buildResponse(frame.tag === TPM_ST.SESSIONS, def.responseHandle ? out.handle : undefined, responseParameters, auths);
}

export type { CommandName };
