/**
 * A TPM client over any transport (go-tpm's `execute` model): builds a command from its declaration in
 * `COMMANDS`, authorizes it with password, HMAC or policy sessions (cpHash, nonces, parameter encryption),
 * sends it, verifies the response HMACs and decodes the response parameters.
 */
import { timingSafeEqual } from "node:crypto";
import { Reader, Writer } from "./codec.js";
import { COMMANDS, type CommandName, type CommandParams, type CommandResponse } from "./commands.js";
import { TPM_ALG, TPM_RC, TPM_RH, TPM_RS_PW, TPM_SE, TPMA_SESSION } from "./constants.js";
import { TpmError } from "./errors.js";
import { buildCommand, parseResponse } from "./frames.js";
import { digestSize } from "./crypto/hash.js";
import { pooledRandomBytes } from "./crypto/random.js";
import { cpHash, rpHash, sessionHmac, sessionKey } from "./crypto/session.js";
import { decryptParameterCfb, encryptParameterCfb, xorParameter } from "./crypto/symmetric.js";
import type { TPMS_AUTH_COMMAND, TPMT_SYM_DEF } from "./structures.js";

/** Sends one command and returns the TPM's response bytes. */
export type Transport = (command: Uint8Array) => Promise<Uint8Array>;

/** A session started on the TPM, tracked by the client. */
export class ClientSession {
  nonceTPM: Buffer;
  nonceCaller: Buffer = Buffer.alloc(0);
  /** False once the TPM has flushed it (continueSession clear). */
  live = true;
  /** Set after TPM2_PolicyAuthValue: the policy session's HMAC then includes the entity's authValue. */
  authValueNeeded = false;

  constructor(
    readonly handle: number,
    readonly type: number,
    readonly authHash: number,
    readonly symmetric: TPMT_SYM_DEF,
    readonly sessionKey: Buffer,
    nonceTPM: Buffer,
    /** Name of the bind entity, whose authValue then stays out of the HMAC key. */
    readonly boundName: Buffer | undefined,
  ) {
    this.nonceTPM = nonceTPM;
  }
}

/** Authorization for one handle, or a session used only for parameter encryption/audit. */
export type Auth =
  | { kind: "password"; authValue: Uint8Array }
  | { kind: "session"; session: ClientSession; authValue: Uint8Array; attributes: number };

/** The password session TPM_RS_PW (Part 1 §19.6.4). */
export function pw(authValue: Uint8Array | string = new Uint8Array()): Auth {
  return { kind: "password", authValue: typeof authValue === "string" ? Buffer.from(authValue) : authValue };
}

/** A session authorization; `continueSession` is set unless `attributes` says otherwise. */
export function withSession(
  session: ClientSession,
  opts: { authValue?: Uint8Array | string; attributes?: number } = {},
): Auth {
  const a = opts.authValue ?? new Uint8Array();
  return {
    kind: "session",
    session,
    authValue: typeof a === "string" ? Buffer.from(a) : a,
    attributes: opts.attributes ?? TPMA_SESSION.continueSession,
  };
}

export interface CallResult<N extends CommandName> {
  rc: number;
  handle: number | undefined;
  response: CommandResponse<N> | undefined;
}

interface CallOptions<N extends CommandName> {
  handles?: readonly number[];
  /** Names of the handles for cpHash; looked up on the TPM when omitted and a session needs them. */
  names?: readonly Uint8Array[];
  auths?: readonly Auth[];
  params: CommandParams<N>;
}

const EMPTY = Buffer.alloc(0);

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function transformLeading(area: Buffer, f: (d: Buffer) => Buffer): Buffer {
  const size = area.readUInt16BE(0);
  const out = Buffer.from(area);
  f(area.subarray(2, 2 + size)).copy(out, 2);
  return out;
}

export class TpmClient {
  constructor(readonly transport: Transport) {}

  /** Sends a command; a TPM error comes back as `rc`, never as a throw. */
  async call<N extends CommandName>(name: N, opts: CallOptions<N>): Promise<CallResult<N>> {
    const def = COMMANDS[name];
    const handles = opts.handles ?? [];
    const auths = opts.auths ?? [];
    const w = new Writer();
    def.params.write(w, opts.params as never);
    let parameters = w.finish();
    const sessionAuths = auths.filter((a): a is Extract<Auth, { kind: "session" }> => a.kind === "session");
    const names =
      sessionAuths.length > 0 ? (opts.names ?? (await Promise.all(handles.map((h) => this.nameOf(h))))) : [];

    const decryptAuth = sessionAuths.find((a) => a.attributes & TPMA_SESSION.decrypt);
    const encryptAuth = sessionAuths.find((a) => a.attributes & TPMA_SESSION.encrypt);
    const nonces = new Map<Auth, Buffer>();
    for (const a of sessionAuths) nonces.set(a, pooledRandomBytes(digestSize(a.session.authHash)));
    const keyAuth = (a: Auth): Uint8Array => {
      const i = auths.indexOf(a);
      if (a.kind !== "session" || i >= def.authCount) return EMPTY;
      const s = a.session;
      if (s.type !== TPM_SE.HMAC) return s.authValueNeeded ? a.authValue : EMPTY;
      if (s.boundName && Buffer.compare(s.boundName, names[i] ?? u32(handles[i] ?? 0)) === 0) return EMPTY;
      return a.authValue;
    };
    // parameter encryption keys include the authorized entity's authValue even for bound and policy sessions (libtpms)
    const cipherAuth = (a: Auth): Uint8Array => (auths.indexOf(a) < def.authCount ? a.authValue : EMPTY);
    if (decryptAuth) {
      const s = decryptAuth.session;
      parameters = transformLeading(parameters, (d) =>
        this.cipher(decryptAuth, cipherAuth(decryptAuth), d, nonces.get(decryptAuth)!, s.nonceTPM, true),
      );
    }

    // Part 1 §19.6.5: the nonceTPM of a decrypt or encrypt session that is not the first goes into the first HMAC
    const otherNonce = (x: (typeof sessionAuths)[number] | undefined) => (x && auths.indexOf(x) > 0 ? x.session.nonceTPM : EMPTY);
    const nonceDecrypt = otherNonce(decryptAuth);
    const nonceEncrypt = encryptAuth === decryptAuth ? EMPTY : otherNonce(encryptAuth);
    const sessions: TPMS_AUTH_COMMAND[] = auths.map((a, i) => {
      if (a.kind === "password") {
        return { sessionHandle: TPM_RS_PW, nonce: EMPTY, sessionAttributes: TPMA_SESSION.continueSession, hmac: a.authValue };
      }
      const s = a.session;
      const nonce = nonces.get(a)!;
      const hmac = sessionHmac(
        s.authHash,
        s.sessionKey,
        keyAuth(a),
        cpHash(s.authHash, def.code, names, parameters),
        nonce,
        s.nonceTPM,
        i === 0 ? nonceDecrypt : EMPTY,
        i === 0 ? nonceEncrypt : EMPTY,
        a.attributes,
      );
      return { sessionHandle: s.handle, nonce, sessionAttributes: a.attributes, hmac };
    });

    const bytes = await this.transport(buildCommand(def.code, handles, sessions, parameters));
    const frame = parseResponse(bytes, def.responseHandle !== undefined, auths.length);
    if (frame.rc !== TPM_RC.SUCCESS) return { rc: frame.rc, handle: undefined, response: undefined };

    for (let i = 0; i < auths.length; i++) {
      const a = auths[i]!;
      if (a.kind !== "session") continue;
      const s = a.session;
      const ra = frame.sessions[i];
      if (!ra) throw new TpmError(TPM_RC.AUTHSIZE, { message: "response lacks a session area" });
      s.nonceCaller = nonces.get(a)!;
      s.nonceTPM = Buffer.from(ra.nonce);
      if (!(a.attributes & TPMA_SESSION.continueSession)) s.live = false;
      if (ra.hmac.length === 0) continue;
      const expected = sessionHmac(
        s.authHash,
        s.sessionKey,
        keyAuth(a),
        rpHash(s.authHash, TPM_RC.SUCCESS, def.code, frame.parameters),
        s.nonceTPM,
        s.nonceCaller,
        EMPTY,
        EMPTY,
        ra.sessionAttributes,
      );
      if (expected.length !== ra.hmac.length || !timingSafeEqual(expected, ra.hmac)) {
        throw new TpmError(TPM_RC.HMAC, { message: `response HMAC of session ${i + 1} does not verify` });
      }
    }

    let responseParameters = frame.parameters;
    if (encryptAuth) {
      const s = encryptAuth.session;
      responseParameters = transformLeading(responseParameters, (d) =>
        this.cipher(encryptAuth, cipherAuth(encryptAuth), d, s.nonceTPM, s.nonceCaller, false),
      );
    }
    const r = new Reader(responseParameters);
    const response = def.response.read(r) as CommandResponse<N>;
    return { rc: frame.rc, handle: frame.handle, response };
  }

  /** Like `call`, but a TPM error is thrown as TpmError. */
  async run<N extends CommandName>(name: N, opts: CallOptions<N>): Promise<CommandResponse<N> & { handle: number }> {
    const out = await this.call(name, opts);
    if (out.rc !== TPM_RC.SUCCESS) throw new TpmError(out.rc, { message: `${name} failed: 0x${out.rc.toString(16)}` });
    return Object.assign(out.response as object, { handle: out.handle ?? 0 }) as CommandResponse<N> & { handle: number };
  }

  /**
   * Starts an HMAC, policy or trial session. With `salt` and `encryptedSalt` the caller provides the salt and its
   * encryption under `tpmKey` (Part 1 §19.6.? salted sessions); `bindAuth` is the bind entity's authValue.
   */
  async startSession(
    opts: {
      type?: "hmac" | "policy" | "trial";
      authHash?: number;
      symmetric?: TPMT_SYM_DEF;
      tpmKey?: number;
      salt?: Uint8Array;
      encryptedSalt?: Uint8Array;
      bind?: number;
      bindAuth?: Uint8Array;
    } = {},
  ): Promise<ClientSession> {
    const type = opts.type === "policy" ? TPM_SE.POLICY : opts.type === "trial" ? TPM_SE.TRIAL : TPM_SE.HMAC;
    const authHash = opts.authHash ?? TPM_ALG.SHA256;
    const symmetric: TPMT_SYM_DEF = opts.symmetric ?? { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
    const nonceCaller = pooledRandomBytes(digestSize(authHash));
    const out = await this.run("StartAuthSession", {
      handles: [opts.tpmKey ?? TPM_RH.NULL, opts.bind ?? TPM_RH.NULL],
      params: {
        nonceCaller,
        encryptedSalt: opts.encryptedSalt ?? EMPTY,
        sessionType: type,
        symmetric,
        authHash,
      },
    });
    const bound = opts.bind !== undefined && opts.bind !== TPM_RH.NULL;
    const key = sessionKey(
      authHash,
      bound ? (opts.bindAuth ?? EMPTY) : null,
      opts.salt ?? null,
      out.nonceTPM,
      nonceCaller,
    );
    const boundName = bound ? await this.nameOf(opts.bind!) : undefined;
    const session = new ClientSession(out.handle, type, authHash, symmetric, key, Buffer.from(out.nonceTPM), boundName);
    session.nonceCaller = nonceCaller;
    return session;
  }

  /** Flushes a session or transient object. */
  async flush(handle: number | ClientSession): Promise<void> {
    const h = typeof handle === "number" ? handle : handle.handle;
    await this.run("FlushContext", { params: { flushHandle: h } });
    if (typeof handle !== "number") handle.live = false;
  }

  /** The Name of an entity (Part 1 §16), asking the TPM for objects and NV indices. */
  async nameOf(handle: number): Promise<Buffer> {
    const top = handle >>> 24;
    if (top === 0x80 || top === 0x81) {
      return Buffer.from((await this.run("ReadPublic", { handles: [handle], params: {} })).name);
    }
    if (top === 0x01) {
      return Buffer.from((await this.run("NV_ReadPublic", { handles: [handle], params: {} })).nvName);
    }
    return u32(handle);
  }

  private cipher(
    a: Extract<Auth, { kind: "session" }>,
    authValue: Uint8Array,
    data: Buffer,
    newer: Buffer,
    older: Buffer,
    encrypt: boolean,
  ): Buffer {
    const s = a.session;
    const ctx = { hashAlg: s.authHash, sessionKey: s.sessionKey, authValue, nonceNewer: newer, nonceOlder: older };
    if (s.symmetric.algorithm === TPM_ALG.XOR) return xorParameter(ctx, data);
    const bits = s.symmetric.keyBits as number;
    return encrypt ? encryptParameterCfb(ctx, bits, data) : decryptParameterCfb(ctx, bits, data);
  }
}
