/**
 * The fuzz loop: sequences of commands for every entry of COMMANDS, half of them mutated, sent to a TPM through
 * any transport; each response checked by the oracle, internal errors caught from the log, and the model of
 * loaded objects, sessions and NV indices updated from what succeeded so that state builds up.
 */
import {
  COMMANDS,
  TPM_CAP,
  TPM_RC,
  TPM_RH,
  TPM_SE,
  TPM_SU,
  TPMA_NV,
  TPMA_SESSION,
  TPM2B_PRIVATE,
  baseResponseCode,
  marshal,
  rcName,
  sessionKey,
  unmarshal,
  type CommandName,
  type TPMS_AUTH_COMMAND,
  type TPMS_CONTEXT,
  type TPMS_NV_PUBLIC,
  type TPMT_PUBLIC,
  type TPMT_SENSITIVE,
  type TPMT_SYM_DEF,
} from "../../tpm2/index.js";
import { buildCommand, type BuiltCommand } from "./builder.js";
import type { InternalErrorCapture } from "./log-capture.js";
import { Model, kindOf, type ObjectBelief, type SessionBelief } from "./model.js";
import { mutate } from "./mutate.js";
import { checkResponse, parseKnownCommand, type ParsedCommand, type ParsedResponse } from "./oracle.js";
import { Rng } from "./rng.js";

/** Where inputs go: the in-process emulator or a socket; `powerCycle` is the platform's reset line. */
export interface FuzzTarget {
  /**
   * The response; undefined when the transport delivered no frame to the TPM (an undelimitable frame); or the
   * response with the frame the TPM actually saw, when the transport cut the input by its size field.
   */
  send(command: Uint8Array): Promise<Uint8Array | TransportReply | undefined>;
  powerCycle(): Promise<void>;
}

export interface TransportReply {
  seen: Uint8Array;
  response: Uint8Array;
}

export interface FuzzFailure {
  seed: number;
  step: number;
  mutation: string;
  command: string;
  inputHex: string;
  problem: string;
  stack: string | undefined;
  /** The inputs before it, oldest first, to replay the state it needed. */
  history: string[];
}

export interface FuzzStats {
  inputs: number;
  mutated: number;
  successes: number;
  /** Response counts by base response code name (e.g. TPM_RC_HANDLE), and "TPM_RC_SUCCESS". */
  byCode: Map<string, number>;
  /** Response counts by class: success, format-one, format-zero (version 1), warning, other. */
  byClass: Map<string, number>;
  commandsSucceeded: Set<string>;
  failures: FuzzFailure[];
  millis: number;
}

export interface FuzzOptions {
  seed: number;
  capture?: InternalErrorCapture;
  /** Share of inputs that are mutated (default 0.5). */
  mutationRate?: number;
  /** Stop after this many failures (default 20). */
  maxFailures?: number;
  /** Inputs between model resyncs (default 256). */
  resyncEvery?: number;
}

const HISTORY = 12;
const NAMES = Object.keys(COMMANDS) as CommandName[];
const EMPTY: Buffer = Buffer.alloc(0);

function classOf(rc: number): string {
  if (rc === TPM_RC.SUCCESS) return "success";
  if (rc & 0x080) return "format-one";
  if ((rc & 0x900) === 0x900) return "warning";
  if (rc & 0x100) return "format-zero";
  return "other";
}

function codeName(rc: number): string {
  if (rc === TPM_RC.SUCCESS) return "TPM_RC_SUCCESS";
  if (rc >= TPM_RC.REFERENCE_H0 && rc < TPM_RC.REFERENCE_S0) return "TPM_RC_REFERENCE_Hx";
  if (rc >= TPM_RC.REFERENCE_S0 && rc < TPM_RC.REFERENCE_S0 + 8) return "TPM_RC_REFERENCE_Sx";
  return rcName(baseResponseCode(rc));
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

export class Fuzzer {
  readonly rng: Rng;
  readonly model = new Model();
  readonly stats: FuzzStats = {
    inputs: 0,
    mutated: 0,
    successes: 0,
    byCode: new Map(),
    byClass: new Map(),
    commandsSucceeded: new Set(),
    failures: [],
    millis: 0,
  };
  private readonly history: string[] = [];
  private readonly savedBeliefs = new Map<number, ObjectBelief | SessionBelief>();
  private step = 0;
  private lastShutdown: number | undefined;

  constructor(
    readonly target: FuzzTarget,
    readonly opts: FuzzOptions,
  ) {
    this.rng = new Rng(opts.seed);
  }

  /** Runs `count` more inputs (resync queries count as inputs too). */
  async run(count: number): Promise<FuzzStats> {
    const start = performance.now();
    const end = this.stats.inputs + count;
    const resyncEvery = this.opts.resyncEvery ?? 256;
    const maxFailures = this.opts.maxFailures ?? 20;
    while (this.stats.inputs < end && this.stats.failures.length < maxFailures) {
      this.step++;
      if (!this.model.started) {
        await this.startup();
      } else if (this.step % resyncEvery === 0) {
        await this.resync();
      } else if (this.rng.chance(0.002)) {
        await this.powerCycle();
      } else {
        await this.fuzzOne();
      }
    }
    this.stats.millis += performance.now() - start;
    return this.stats;
  }

  private async powerCycle(): Promise<void> {
    if (this.rng.chance(0.5)) {
      const shutdownType = this.rng.chance(0.5) ? TPM_SU.STATE : TPM_SU.CLEAR;
      await this.sendBuilt(this.built("Shutdown", new Map([["shutdownType", Buffer.from([0, shutdownType])]])), false);
    }
    await this.target.powerCycle();
    this.model.forgetVolatile();
    this.model.started = false;
  }

  private async startup(): Promise<void> {
    const type = this.lastShutdown === TPM_SU.STATE && this.rng.chance(0.7) ? TPM_SU.STATE : TPM_SU.CLEAR;
    const c = this.built("Startup", new Map([["startupType", Buffer.from([0, type])]]));
    await this.sendBuilt(c, this.rng.chance(0.1));
    // a TPM that refuses Startup(STATE) starts with CLEAR; one that was already started says INITIALIZE
    if (!this.model.started) await this.sendBuilt(this.built("Startup", new Map([["startupType", Buffer.from([0, 0])]])), false);
    this.model.started = true;
  }

  private built(name: CommandName, params: Map<string, Buffer>): BuiltCommand {
    const c = buildCommand(this.rng, this.model, name);
    const def = c.def;
    if (def.handles.length > 0 || c.sessions.length > 0) return c;
    const body = Buffer.concat(def.paramFields.map(([f]) => params.get(f) ?? c.plain.get(f)!));
    const bytes = Buffer.concat([Buffer.from([0x80, 0x01]), u32(10 + body.length), u32(def.code), body]);
    let at = 10;
    const fields = def.paramFields.map(([f, schema]) => {
      const length = (params.get(f) ?? c.plain.get(f)!).length;
      const out = { name: f, schema, offset: at, length };
      at += length;
      return out;
    });
    return { ...c, bytes, fields, plain: new Map([...c.plain, ...params]) };
  }

  private weight(name: CommandName): number {
    const m = this.model;
    const transients = m.transientCount();
    switch (name) {
      case "Startup":
        return 0.1;
      case "Shutdown":
        return 0.15;
      case "Clear":
        return 0.05;
      // new seeds make every RSA primary a fresh key derivation; disabling switches shrink what the rest reaches
      case "ChangeEPS":
      case "ChangePPS":
        return 0.01;
      case "HierarchyControl":
      case "ClearControl":
      case "DictionaryAttackParameters":
      case "PCR_Allocate":
      case "SetPrimaryPolicy":
      case "NV_GlobalWriteLock":
      case "ClockSet":
        return 0.1;
      case "HierarchyChangeAuth":
        return 0.3;
      case "CreatePrimary":
        return transients < 6 ? 4 : transients < 20 ? 1 : 0.2;
      case "Create":
        return m.created.length < 8 ? 2 : 0.7;
      case "Load":
        return m.created.length > 0 && transients < 20 ? 2 : 0.3;
      case "FlushContext":
        return transients > 12 || m.sessions.size > 12 ? 6 : 1;
      case "StartAuthSession":
        return m.sessions.size < 4 ? 3 : m.sessions.size < 16 ? 1 : 0.2;
      case "NV_DefineSpace":
        return m.nv.size < 4 ? 2 : 0.5;
      default:
        return 1;
    }
  }

  private async fuzzOne(): Promise<void> {
    const name = this.rng.weighted(NAMES.map((n) => [n, this.weight(n)] as const));
    const c = buildCommand(this.rng, this.model, name);
    await this.sendBuilt(c, this.rng.chance(this.opts.mutationRate ?? 0.5));
  }

  /** Sends a command (mutated or not), checks the response, updates the model. */
  private async sendBuilt(c: BuiltCommand, mutated: boolean): Promise<ParsedResponse | undefined> {
    const m = mutated ? mutate(this.rng, c, this.model) : { kind: "none", bytes: c.bytes };
    return this.send(m.bytes, m.kind, c.name, mutated ? undefined : c);
  }

  private async send(input: Buffer, mutation: string, command: string, intact: BuiltCommand | undefined): Promise<ParsedResponse | undefined> {
    const stats = this.stats;
    stats.inputs++;
    if (mutation !== "none") stats.mutated++;
    const hex = input.toString("hex");
    const mark = this.opts.capture?.events.length ?? 0;
    let parsed: ParsedResponse | undefined;
    let problem: string | undefined;
    let stack: string | undefined;
    let noAnswer = false;
    let seen: Uint8Array = input;
    try {
      const output = await this.target.send(input);
      if (output === undefined) noAnswer = true;
      else if (output instanceof Uint8Array) parsed = checkResponse(input, output);
      else {
        seen = output.seen;
        parsed = checkResponse(seen, output.response);
      }
    } catch (e) {
      problem = (e as Error).message;
      stack = (e as Error).stack;
    }
    const internal = this.opts.capture?.since(mark) ?? [];
    if (internal.length > 0) {
      problem = `internal error logged (response 0x${parsed?.rc.toString(16) ?? "?"}): ${internal[0]!.line.slice(0, 300)}`;
      stack = internal[0]!.stack;
    }
    if (problem !== undefined) {
      stats.failures.push({ seed: this.opts.seed, step: this.step, mutation, command, inputHex: hex, problem, stack, history: [...this.history] });
    }
    this.history.push(`${command}/${mutation}: ${hex}`);
    if (this.history.length > HISTORY) this.history.shift();
    if (noAnswer) stats.byClass.set("no answer", (stats.byClass.get("no answer") ?? 0) + 1);
    if (!parsed) return undefined;

    const code = codeName(parsed.rc);
    stats.byCode.set(code, (stats.byCode.get(code) ?? 0) + 1);
    const cls = classOf(parsed.rc);
    stats.byClass.set(cls, (stats.byClass.get(cls) ?? 0) + 1);
    if (parsed.rc === TPM_RC.INITIALIZE) this.model.started = false;
    if (parsed.rc === TPM_RC.SUCCESS) {
      stats.successes++;
      const cmd = parseKnownCommand(seen)!;
      stats.commandsSucceeded.add(cmd.def.name);
      this.learn(cmd, parsed, intact);
    }
    return parsed;
  }

  /** Updates the model from a command that succeeded. */
  private learn(cmd: ParsedCommand, res: ParsedResponse, intact: BuiltCommand | undefined): void {
    const m = this.model;
    const { frame, def } = cmd;
    frame.sessions.forEach((s: TPMS_AUTH_COMMAND, i) => {
      const belief = m.sessions.get(s.sessionHandle);
      if (!belief) return;
      const nonce = res.sessionNonces[i];
      if (nonce) belief.nonceTPM = nonce;
      if (!(s.sessionAttributes & TPMA_SESSION.continueSession)) m.sessions.delete(s.sessionHandle);
    });
    // parameters in plain text: decoded from the input, or (encrypted) as the builder made them
    let p = cmd.params;
    if (!p && intact) p = decodePlain(intact);
    const r = res.response;
    if (r) for (const [k, v] of Object.entries(r)) m.remember(k, v);
    const h = frame.handles;

    switch (def.name) {
      case "Startup": {
        m.forgetVolatile();
        m.started = true;
        if (p?.["startupType"] === TPM_SU.CLEAR) m.hierarchyAuth.set(TPM_RH.PLATFORM, EMPTY);
        break;
      }
      case "Shutdown":
        this.lastShutdown = p?.["shutdownType"] as number | undefined;
        break;
      case "StartAuthSession": {
        if (res.handle === undefined || !r) break;
        const nonceTPM = Buffer.from(r["nonceTPM"] as Uint8Array);
        const [tpmKey, bind] = h as [number, number];
        const type = p?.["sessionType"] as number | undefined;
        const authHash = p?.["authHash"] as number | undefined;
        const bindAuth = bind === TPM_RH.NULL ? null : (m.authOf(bind) ?? undefined);
        const known = p !== undefined && authHash !== undefined && tpmKey === TPM_RH.NULL && bindAuth !== undefined;
        m.sessions.set(res.handle, {
          handle: res.handle,
          type: type ?? (res.handle >>> 24 === 2 ? TPM_SE.HMAC : TPM_SE.POLICY),
          authHash: authHash ?? 0x000b,
          symmetric: (p?.["symmetric"] as TPMT_SYM_DEF | undefined) ?? { algorithm: 0x0010, keyBits: undefined, mode: undefined },
          sessionKey: known && p ? sessionKey(authHash, bindAuth, null, nonceTPM, p["nonceCaller"] as Uint8Array) : undefined,
          nonceTPM,
          boundName: bind === TPM_RH.NULL ? undefined : m.nameOf(bind),
          authValueNeeded: false,
          passwordNeeded: false,
        });
        break;
      }
      case "CreatePrimary":
      case "Load":
      case "LoadExternal": {
        if (res.handle === undefined || !r) break;
        const pub = (r["outPublic"] ?? p?.["inPublic"]) as TPMT_PUBLIC | undefined;
        let auth: Buffer | undefined;
        if (def.name === "CreatePrimary") auth = p ? Buffer.from((p["inSensitive"] as { userAuth: Uint8Array }).userAuth) : undefined;
        else if (def.name === "Load" && p) {
          const priv = marshal(TPM2B_PRIVATE, p["inPrivate"] as Uint8Array);
          auth = m.created.find((b) => marshal(TPM2B_PRIVATE, b.private).equals(priv))?.auth;
        } else if (p) auth = Buffer.from((p["inPrivate"] as TPMT_SENSITIVE | undefined)?.authValue ?? EMPTY);
        m.objects.set(res.handle, {
          handle: res.handle,
          name: Buffer.from(r["name"] as Uint8Array),
          auth,
          kind: pub ? (def.name === "LoadExternal" && !p?.["inPrivate"] ? "public" : kindOf(pub)) : "unknown",
          type: pub?.type ?? 0,
          hierarchy: def.name === "CreatePrimary" ? h[0]! : TPM_RH.NULL,
        });
        break;
      }
      case "Create":
        if (r && p) {
          m.created.push({
            parentName: m.nameOf(h[0]!),
            private: r["outPrivate"] as Uint8Array,
            public: r["outPublic"] as TPMT_PUBLIC,
            auth: Buffer.from((p["inSensitive"] as { userAuth: Uint8Array }).userAuth),
          });
          if (m.created.length > 16) m.created.shift();
        }
        break;
      case "MakeCredential":
        if (r && p) {
          m.credentials.push({
            keyName: m.nameOf(h[0]!),
            objectName: Buffer.from(p["objectName"] as Uint8Array),
            credentialBlob: r["credentialBlob"] as Uint8Array,
            secret: r["secret"] as Uint8Array,
          });
          if (m.credentials.length > 8) m.credentials.shift();
        }
        break;
      case "Sign":
        if (r && p) {
          m.signatures.push({ keyName: m.nameOf(h[0]!), digest: p["digest"] as Uint8Array, signature: r["signature"] });
          if (m.signatures.length > 8) m.signatures.shift();
        }
        break;
      case "FlushContext": {
        const handle = p?.["flushHandle"] as number | undefined;
        if (handle !== undefined) {
          m.objects.delete(handle);
          m.sessions.delete(handle);
        }
        break;
      }
      case "ContextSave": {
        const belief = m.objects.get(h[0]!) ?? m.sessions.get(h[0]!);
        if (belief) this.savedBeliefs.set(h[0]!, { ...belief });
        if (h[0]! >>> 24 !== 0x80) m.sessions.delete(h[0]!);
        break;
      }
      case "ContextLoad": {
        if (res.handle === undefined) break;
        const ctx = p?.["context"] as TPMS_CONTEXT | undefined;
        const saved = ctx ? this.savedBeliefs.get(ctx.savedHandle) : undefined;
        if (res.handle >>> 24 === 0x80) {
          const o = saved && "kind" in saved ? saved : undefined;
          m.objects.set(res.handle, { ...(o ?? { name: EMPTY, auth: undefined, kind: "unknown", type: 0, hierarchy: TPM_RH.NULL }), handle: res.handle });
        } else if (saved && "nonceTPM" in saved) {
          m.sessions.set(res.handle, { ...saved, handle: res.handle });
        }
        break;
      }
      case "EvictControl": {
        const object = h[1]!;
        const o = m.objects.get(object);
        if (object >>> 24 === 0x81) m.objects.delete(object);
        else if (o && p) m.objects.set(p["persistentHandle"] as number, { ...o, handle: p["persistentHandle"] as number });
        break;
      }
      case "HierarchyChangeAuth":
        m.hierarchyAuth.set(h[0]!, p ? Buffer.from(p["newAuth"] as Uint8Array) : undefined);
        break;
      case "Clear":
        for (const hh of [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.LOCKOUT]) m.hierarchyAuth.set(hh, EMPTY);
        for (const [handle, o] of m.objects) if (o.hierarchy !== TPM_RH.PLATFORM && handle >>> 24 === 0x81) m.objects.delete(handle);
        for (const [handle, nv] of m.nv) if (!nv.public || !(nv.public.attributes & TPMA_NV.PLATFORMCREATE)) m.nv.delete(handle);
        break;
      case "NV_DefineSpace": {
        const pub = p?.["publicInfo"] as TPMS_NV_PUBLIC | undefined;
        if (pub && p) m.nv.set(pub.nvIndex, { handle: pub.nvIndex, auth: Buffer.from(p["auth"] as Uint8Array), public: { ...pub } });
        break;
      }
      case "NV_UndefineSpace":
        m.nv.delete(h[1]!);
        break;
      case "NV_Write": {
        const nv = m.nv.get(h[1]!);
        if (nv?.public) nv.public.attributes |= TPMA_NV.WRITTEN;
        break;
      }
      case "PolicyAuthValue":
      case "PolicyPassword":
      case "PolicyRestart": {
        const s = m.sessions.get(h[0]!);
        if (!s) break;
        s.authValueNeeded = def.name === "PolicyAuthValue";
        s.passwordNeeded = def.name === "PolicyPassword";
        break;
      }
      default:
        if (res.handle !== undefined && res.handle >>> 24 === 0x80 && !m.objects.has(res.handle)) {
          m.objects.set(res.handle, { handle: res.handle, name: EMPTY, auth: undefined, kind: "unknown", type: 0, hierarchy: TPM_RH.NULL });
        }
    }
  }

  /** Asks the TPM what is loaded and corrects the model (handles it forgot, names it never learned). */
  private async resync(): Promise<void> {
    const m = this.model;
    const list = async (first: number): Promise<number[] | undefined> => {
      const c = this.built("GetCapability", new Map([
        ["capability", u32(TPM_CAP.HANDLES)],
        ["property", u32(first)],
        ["propertyCount", u32(256)],
      ]));
      const res = await this.sendBuilt(c, false);
      const data = (res?.response?.["capabilityData"] as { data: number[] } | undefined)?.data;
      return data;
    };
    const transient = await list(0x80000000);
    const persistent = await list(0x81000000);
    const hmac = await list(0x02000000);
    const policy = await list(0x03000000);
    const nv = await list(0x01000000);
    if (!transient || !persistent || !hmac || !policy || !nv) return;
    const objects = new Set([...transient, ...persistent]);
    for (const h of m.objects.keys()) if (!objects.has(h)) m.objects.delete(h);
    const sessions = new Set([...hmac, ...policy]);
    for (const h of m.sessions.keys()) if (!sessions.has(h)) m.sessions.delete(h);
    const indices = new Set(nv);
    for (const h of m.nv.keys()) if (!indices.has(h)) m.nv.delete(h);
    for (const h of objects) {
      const known = m.objects.get(h);
      if (known && known.name.length > 0) continue;
      const c = this.built("ReadPublic", new Map());
      c.bytes.writeUInt32BE(h, 10);
      const res = await this.sendBuilt({ ...c, handles: [h] }, false);
      const pub = res?.response?.["outPublic"] as TPMT_PUBLIC | undefined;
      if (!pub) continue;
      m.objects.set(h, {
        handle: h,
        name: Buffer.from(res!.response!["name"] as Uint8Array),
        auth: known?.auth,
        kind: kindOf(pub),
        type: pub.type,
        hierarchy: known?.hierarchy ?? TPM_RH.NULL,
      });
    }
    for (const h of sessions) {
      if (m.sessions.has(h)) continue;
      m.sessions.set(h, {
        handle: h,
        type: h >>> 24 === 2 ? TPM_SE.HMAC : TPM_SE.POLICY,
        authHash: 0x000b,
        symmetric: { algorithm: 0x0010, keyBits: undefined, mode: undefined },
        sessionKey: undefined,
        nonceTPM: EMPTY,
        boundName: undefined,
        authValueNeeded: false,
        passwordNeeded: false,
      });
    }
    for (const h of indices) if (!m.nv.has(h)) m.nv.set(h, { handle: h, auth: undefined, public: undefined });
  }
}

/** The builder's plain parameters, decoded (for commands sent with parameter encryption). */
function decodePlain(c: BuiltCommand): Record<string, unknown> | undefined {
  try {
    const bytes = Buffer.concat(c.def.paramFields.map(([name]) => c.plain.get(name)!));
    return unmarshal(c.def.params, bytes) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
