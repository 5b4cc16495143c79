/**
 * Builds a valid command for any entry of COMMANDS against what the model believes is loaded: handles chosen by
 * their role, parameters from the schemas, password, HMAC or policy authorizations (with parameter encryption
 * now and then). It records where every part sits, so mutations can aim at size fields, selectors and handles.
 */
import {
  COMMANDS,
  TPM_ALG,
  TPM_RH,
  TPM_RS_PW,
  TPM_SE,
  TPM_ST,
  TPMA_SESSION,
  TPMS_AUTH_COMMAND,
  Writer,
  cpHash,
  encryptParameterCfb,
  marshal,
  sessionHmac,
  xorParameter,
  TPM2B_DIGEST,
  TPM2B_ENCRYPTED_SECRET,
  TPM2B_ID_OBJECT,
  TPM2B_NAME,
  TPM2B_PRIVATE,
  TPM2B_PUBLIC,
  TPMT_SIGNATURE,
  type CommandDef,
  type CommandName,
  type Schema,
} from "../../tpm2/index.js";
import { HIERARCHIES, type Model, type SessionBelief } from "./model.js";
import type { Rng } from "./rng.js";
import { generateField, type FieldContext } from "./values.js";

const EMPTY: Buffer = Buffer.alloc(0);
const DIGEST_SIZE: Record<number, number> = { [TPM_ALG.SHA1]: 20, [TPM_ALG.SHA256]: 32, [TPM_ALG.SHA384]: 48, [TPM_ALG.SHA512]: 64 };

export interface FieldLayout {
  name: string;
  schema: Schema<unknown>;
  /** Offset in the command bytes. */
  offset: number;
  length: number;
}

export interface SessionLayout {
  offset: number;
  length: number;
  /** The belief behind it; undefined for the password session. */
  session: SessionBelief | undefined;
  nonceCaller: Buffer;
  attributes: number;
}

/** A command as built, with the layout mutations use and what the model needs after the response. */
export interface BuiltCommand {
  name: CommandName;
  def: CommandDef;
  bytes: Buffer;
  handles: number[];
  /** Offset of the authorization size field, when the command has sessions. */
  authSizeOffset: number | undefined;
  sessions: SessionLayout[];
  paramsOffset: number;
  fields: FieldLayout[];
  /** Plain parameter bytes by name (before parameter encryption), for the model. */
  plain: Map<string, Buffer>;
  /** The first parameter went encrypted / the response comes encrypted. */
  decrypted: boolean;
  encrypted: boolean;
}

interface Recipe {
  handles?: number[];
  params?: Map<string, Buffer>;
}

function objectHandles(model: Model, kinds?: readonly string[]): number[] {
  return model.objectsWhere((o) => !kinds || kinds.includes(o.kind)).map((o) => o.handle);
}

function pickOr(rng: Rng, list: readonly number[], fallback: () => number): number {
  return list.length > 0 && rng.chance(0.92) ? rng.pick(list) : fallback();
}

/** A handle for a handle-area slot, chosen by the slot's name (Part 3 names them by role). */
function chooseHandle(rng: Rng, model: Model, command: string, slot: string, chosen: readonly number[]): number {
  if (rng.chance(0.02)) return rng.interesting32();
  const anyObject = () => pickOr(rng, objectHandles(model), () => rng.pick([...HIERARCHIES, 0x80000000 + rng.int(4)]));
  const sessions = (policy: boolean) =>
    [...model.sessions.values()].filter((s) => !policy || s.type !== TPM_SE.HMAC).map((s) => s.handle);
  const nv = [...model.nv.keys()];
  if (/session/i.test(slot)) return pickOr(rng, sessions(slot === "policySession"), () => 0x03000000 + rng.int(4));
  switch (slot) {
    case "pcrHandle":
      return rng.chance(0.9) ? rng.pick([0, 1, 7, 16, 16, 23, rng.int(24)]) : rng.pick([24, TPM_RH.PLATFORM, rng.int(256)]);
    case "nvIndex":
      return pickOr(rng, nv, () => 0x01500000 + rng.int(8));
    case "primaryHandle":
      return rng.pick([TPM_RH.OWNER, TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.NULL, TPM_RH.PLATFORM]);
    case "parentHandle":
      return pickOr(rng, objectHandles(model, ["storage"]), anyObject);
    case "signHandle":
    case "keyHandle":
      return command === "ActivateCredential"
        ? pickOr(rng, objectHandles(model, ["storage", "decrypt"]), anyObject)
        : pickOr(rng, objectHandles(model, ["signing", "hmac"]), anyObject);
    case "tpmKey":
      return rng.chance(0.9) ? TPM_RH.NULL : anyObject();
    case "bind":
      return rng.chance(0.7) ? TPM_RH.NULL : rng.chance(0.5) ? rng.pick(HIERARCHIES) : anyObject();
    case "auth":
      return rng.pick([TPM_RH.OWNER, TPM_RH.OWNER, TPM_RH.PLATFORM]);
    case "lockHandle":
      return rng.chance(0.9) ? TPM_RH.LOCKOUT : TPM_RH.OWNER;
    case "platform":
      return TPM_RH.PLATFORM;
    case "privacyHandle":
    case "privacyAdminHandle":
      return rng.chance(0.9) ? TPM_RH.ENDORSEMENT : TPM_RH.OWNER;
    case "authHandle":
      if (command.startsWith("NV_")) {
        const index = chosen.length > 0 ? undefined : nv;
        return rng.pick([TPM_RH.OWNER, TPM_RH.PLATFORM, ...(index && index.length > 0 ? [rng.pick(index)] : [])]);
      }
      if (command === "PolicySecret") return rng.chance(0.6) ? rng.pick(HIERARCHIES) : anyObject();
      return rng.pick([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.LOCKOUT]);
    default:
      return rng.chance(0.85) ? anyObject() : rng.pick([...HIERARCHIES, ...nv, ...sessions(false)]);
  }
}

/** Commands whose parameters must come in matching pairs or from earlier responses. */
function recipe(rng: Rng, model: Model, name: CommandName): Recipe {
  if (name === "Load" && model.created.length > 0 && rng.chance(0.9)) {
    const blob = rng.pick(model.created);
    const parent = model.objectsWhere((o) => o.name.equals(blob.parentName));
    if (parent.length === 0) return {};
    return {
      handles: [rng.pick(parent).handle],
      params: new Map([
        ["inPrivate", marshal(TPM2B_PRIVATE, blob.private)],
        ["inPublic", marshal(TPM2B_PUBLIC, blob.public)],
      ]),
    };
  }
  if (name === "ActivateCredential" && model.credentials.length > 0 && rng.chance(0.9)) {
    const c = rng.pick(model.credentials);
    const key = model.objectsNamed(c.keyName);
    const object = model.objectsNamed(c.objectName);
    if (key.length === 0 || object.length === 0) return {};
    return {
      handles: [rng.pick(object).handle, rng.pick(key).handle],
      params: new Map([
        ["credentialBlob", marshal(TPM2B_ID_OBJECT, c.credentialBlob)],
        ["secret", marshal(TPM2B_ENCRYPTED_SECRET, c.secret)],
      ]),
    };
  }
  if (name === "MakeCredential") {
    const objects = model.objectsWhere((o) => o.name.length > 0);
    const keys = objects.filter((o) => o.kind === "storage");
    if (keys.length === 0 || !rng.chance(0.9)) return {};
    return {
      handles: [rng.pick(keys).handle],
      params: new Map([
        ["credential", marshal(TPM2B_DIGEST, rng.bytes(rng.range(1, 32)))],
        ["objectName", marshal(TPM2B_NAME, rng.pick(objects).name)],
      ]),
    };
  }
  if (name === "VerifySignature" && model.signatures.length > 0 && rng.chance(0.8)) {
    const s = rng.pick(model.signatures);
    const key = model.objectsNamed(s.keyName);
    if (key.length === 0) return {};
    return {
      handles: [rng.pick(key).handle],
      params: new Map([
        ["digest", marshal(TPM2B_DIGEST, s.digest)],
        ["signature", marshal(TPMT_SIGNATURE, s.signature as never)],
      ]),
    };
  }
  const def = COMMANDS[name] as CommandDef;
  if (def.handles.join() === "authHandle,nvIndex") {
    // NV commands authorize with the index itself or its owner: pick the index first, then the authorizer
    const nv = [...model.nv.keys()];
    if (nv.length === 0) return {};
    const index = rng.pick(nv);
    return { handles: [rng.chance(0.6) ? index : TPM_RH.OWNER, index] };
  }
  return {};
}

function nonceFor(rng: Rng, s: SessionBelief): Buffer {
  return rng.bytes(rng.chance(0.97) ? (DIGEST_SIZE[s.authHash] ?? 32) : rng.pick([0, 8, 15, 65]));
}

interface AuthPlan {
  session: SessionBelief | undefined;
  authValue: Buffer;
  attributes: number;
}

/** How each authorized handle is authorized, plus at most one trailing session for encryption. */
function planAuths(rng: Rng, model: Model, def: CommandDef, handles: readonly number[]): AuthPlan[] {
  const plans: AuthPlan[] = [];
  const used = new Set<number>();
  const free = (filter: (s: SessionBelief) => boolean) =>
    [...model.sessions.values()].filter((s) => !used.has(s.handle) && filter(s));
  for (let i = 0; i < def.authCount; i++) {
    const h = handles[i] ?? 0;
    const known = model.authOf(h);
    const authValue = known !== undefined && rng.chance(0.95) ? known : rng.pick([EMPTY, Buffer.from("fuzz"), Buffer.from("owner-pw")]);
    const hmacs = free((s) => s.type === TPM_SE.HMAC && s.sessionKey !== undefined);
    const policies = free((s) => s.type !== TPM_SE.HMAC);
    const mode = rng.weighted<"password" | "hmac" | "policy">([
      ["password", 7],
      ["hmac", hmacs.length > 0 ? 3 : 0],
      ["policy", policies.length > 0 ? 1 : 0],
    ]);
    const session = mode === "hmac" ? rng.pick(hmacs) : mode === "policy" ? rng.pick(policies) : undefined;
    if (session) used.add(session.handle);
    let attributes = rng.chance(0.97) ? TPMA_SESSION.continueSession : 0;
    if (session && session.symmetric.algorithm !== TPM_ALG.NULL) {
      if (def.decryptAllowed && rng.chance(0.4)) attributes |= TPMA_SESSION.decrypt;
      if (def.encryptAllowed && rng.chance(0.4)) attributes |= TPMA_SESSION.encrypt;
    }
    plans.push({ session, authValue, attributes });
  }
  const extra = free((s) => s.type === TPM_SE.HMAC && s.symmetric.algorithm !== TPM_ALG.NULL);
  if (extra.length > 0 && (def.decryptAllowed || def.encryptAllowed) && plans.every((p) => p.attributes === TPMA_SESSION.continueSession || !p.session) && rng.chance(0.1)) {
    let attributes = TPMA_SESSION.continueSession;
    if (def.decryptAllowed && rng.chance(0.7)) attributes |= TPMA_SESSION.decrypt;
    if (def.encryptAllowed && rng.chance(0.5)) attributes |= TPMA_SESSION.encrypt;
    if (attributes !== TPMA_SESSION.continueSession) plans.push({ session: rng.pick(extra), authValue: EMPTY, attributes });
  }
  return plans;
}

function cipherFirst(params: Buffer, plan: AuthPlan, inAuthArea: boolean, nonceCaller: Buffer): Buffer {
  const s = plan.session!;
  const size = params.readUInt16BE(0);
  const ctx = {
    hashAlg: s.authHash,
    sessionKey: s.sessionKey ?? EMPTY,
    authValue: inAuthArea ? plan.authValue : EMPTY,
    nonceNewer: nonceCaller,
    nonceOlder: s.nonceTPM,
  };
  const data = params.subarray(2, 2 + size);
  const out = Buffer.from(params);
  const cipher = s.symmetric.algorithm === TPM_ALG.XOR ? xorParameter(ctx, data) : encryptParameterCfb(ctx, s.symmetric.keyBits as number, data);
  cipher.copy(out, 2);
  return out;
}

/** Builds one valid (as far as the model knows) instance of command `name`. */
export function buildCommand(rng: Rng, model: Model, name: CommandName): BuiltCommand {
  const def = COMMANDS[name] as CommandDef;
  const r = recipe(rng, model, name);
  const handles: number[] = r.handles ?? [];
  if (!r.handles) for (const slot of def.handles) handles.push(chooseHandle(rng, model, name, slot, handles));

  const plain = new Map<string, Buffer>();
  const parts: Buffer[] = [];
  for (const [field, schema] of def.paramFields) {
    const ctx: FieldContext = { rng, model, command: name, field, handles };
    const bytes = r.params?.get(field) ?? generateField(schema, ctx);
    plain.set(field, bytes);
    parts.push(bytes);
  }
  let params: Buffer = Buffer.concat(parts);

  const plans = planAuths(rng, model, def, handles);
  const nonces = plans.map((p) => (p.session ? nonceFor(rng, p.session) : EMPTY));
  const decryptAt = plans.findIndex((p) => p.attributes & TPMA_SESSION.decrypt);
  if (decryptAt >= 0 && params.length >= 2 && params.readUInt16BE(0) <= params.length - 2) {
    params = cipherFirst(params, plans[decryptAt]!, decryptAt < def.authCount, nonces[decryptAt]!);
  }

  const names = handles.map((h) => model.nameOf(h));
  const auths: TPMS_AUTH_COMMAND[] = plans.map((p, i) => {
    const nonce = nonces[i]!;
    const s = p.session;
    if (!s) return { sessionHandle: TPM_RS_PW, nonce: EMPTY, sessionAttributes: p.attributes, hmac: p.authValue };
    if (s.passwordNeeded && i < def.authCount) return { sessionHandle: s.handle, nonce, sessionAttributes: p.attributes, hmac: p.authValue };
    if (!s.sessionKey) return { sessionHandle: s.handle, nonce, sessionAttributes: p.attributes, hmac: rng.bytes(DIGEST_SIZE[s.authHash] ?? 32) };
    let keyAuth = EMPTY;
    if (i < def.authCount) {
      if (s.type !== TPM_SE.HMAC) keyAuth = s.authValueNeeded ? p.authValue : EMPTY;
      else keyAuth = s.boundName && s.boundName.equals(names[i]!) ? EMPTY : p.authValue;
    }
    const hmac = sessionHmac(s.authHash, s.sessionKey, keyAuth, cpHash(s.authHash, def.code, names, params), nonce, s.nonceTPM, EMPTY, EMPTY, p.attributes);
    return { sessionHandle: s.handle, nonce, sessionAttributes: p.attributes, hmac };
  });

  const w = new Writer(64 + params.length);
  w.u16(auths.length > 0 ? TPM_ST.SESSIONS : TPM_ST.NO_SESSIONS);
  w.u32(0);
  w.u32(def.code);
  for (const h of handles) w.u32(h);
  let authSizeOffset: number | undefined;
  const sessions: SessionLayout[] = [];
  if (auths.length > 0) {
    authSizeOffset = w.length;
    w.u32(0);
    auths.forEach((a, i) => {
      const offset = w.length;
      TPMS_AUTH_COMMAND.write(w, a);
      sessions.push({ offset, length: w.length - offset, session: plans[i]!.session, nonceCaller: nonces[i]!, attributes: a.sessionAttributes });
    });
    w.patchU32(authSizeOffset, w.length - authSizeOffset - 4);
  }
  const paramsOffset = w.length;
  w.bytes(params);
  w.patchU32(2, w.length);
  const fields: FieldLayout[] = [];
  let at = paramsOffset;
  for (const [field, schema] of def.paramFields) {
    const length = plain.get(field)!.length;
    fields.push({ name: field, schema, offset: at, length });
    at += length;
  }
  return {
    name,
    def,
    bytes: w.finish(),
    handles,
    authSizeOffset,
    sessions,
    paramsOffset,
    fields,
    plain,
    decrypted: decryptAt >= 0,
    encrypted: plans.some((p) => p.attributes & TPMA_SESSION.encrypt),
  };
}
