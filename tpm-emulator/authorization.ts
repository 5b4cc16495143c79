/**
 * Authorization checks for one command (Part 1 §19, Part 3 §5.6.4–§5.6.5): password, HMAC and policy sessions,
 * roles, dictionary-attack accounting, and the response-side nonce rolling and HMAC.
 */
import { timingSafeEqual } from "node:crypto";
import {
  TPM_RC,
  TPM_RS_PW,
  TPM_SE,
  TPMA_NV,
  TPMA_OBJECT,
  TPMA_SESSION,
  TPM_RH,
  TpmError,
  cpHash as computeCpHash,
  rpHash as computeRpHash,
  digestSize,
  sessionHmac,
  trimAuthValue,
  type AuthRole,
  type TPMS_AUTH_COMMAND,
  type TPMS_AUTH_RESPONSE,
} from "../tpm2/index.js";
import type { Session } from "./sessions.js";
import type { Tpm } from "./tpm.js";

/** One session of the command, after its checks. */
export interface SessionUse {
  index: number;
  handle: number;
  attributes: number;
  nonceCaller: Buffer;
  /** Undefined for the password session. */
  session: Session | undefined;
  /** Handle this session authorizes, if it is an authorization session. */
  authorizes: number | undefined;
  /** authValue mixed into this session's HMAC key. */
  authValue: Buffer;
  /**
   * authValue mixed into its parameter-encryption key: the authorized entity's, even when the session is bound
   * to it or is a policy session (what libtpms does).
   */
  cipherAuthValue: Buffer;
}

const EMPTY: Buffer = Buffer.alloc(0);

function equalSecret(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Part 1 §19.6.8: a session bound to the entity leaves its authValue out of the key. */
function isBoundTo(tpm: Tpm, session: Session, handle: number): boolean {
  if (!session.boundEntity) return false;
  try {
    return Buffer.compare(session.boundEntity, tpm.entityName(handle)) === 0;
  } catch {
    return false;
  }
}

/** Whether failures against this entity count toward dictionary-attack lockout (Part 1 §19.8). */
function isDaProtected(tpm: Tpm, handle: number): boolean {
  const top = handle >>> 24;
  if (top === 0x80 || top === 0x81) return (tpm.requireObject(handle).publicArea.objectAttributes & TPMA_OBJECT.noDA) === 0;
  if (top === 0x01) return ((tpm.nvIndex(handle)?.public.attributes ?? TPMA_NV.NO_DA) & TPMA_NV.NO_DA) === 0;
  return handle === TPM_RH.LOCKOUT;
}

function authFailure(tpm: Tpm, handle: number, index: number): TpmError {
  if (isDaProtected(tpm, handle)) {
    tpm.state.da.failedTries++;
    tpm.persist();
    return new TpmError(TPM_RC.AUTH_FAIL).at("session", index);
  }
  return new TpmError(TPM_RC.BAD_AUTH).at("session", index);
}

/** Part 1 §19.7.5: which kinds of authorization an entity accepts for a role. */
function requiresPolicy(tpm: Tpm, handle: number, role: AuthRole): boolean {
  const top = handle >>> 24;
  if (top !== 0x80 && top !== 0x81) return false;
  const attrs = tpm.requireObject(handle).publicArea.objectAttributes;
  if (role === "user") return (attrs & TPMA_OBJECT.userWithAuth) === 0;
  if (role === "admin") return (attrs & TPMA_OBJECT.adminWithPolicy) !== 0;
  return role === "dup";
}

/**
 * Checks every session of a command. `names` are the Names of all handles (for cpHash); `parameters` the raw
 * (still encrypted) parameter area. Returns the sessions in order for the response side.
 */
export function authorizeCommand(
  tpm: Tpm,
  code: number,
  handles: readonly number[],
  roles: readonly AuthRole[],
  authCount: number,
  auths: readonly TPMS_AUTH_COMMAND[],
  parameters: Uint8Array,
): SessionUse[] {
  if (auths.length < authCount) throw new TpmError(TPM_RC.AUTH_MISSING);
  const cpHashes = new Map<number, Buffer>();
  let names: Buffer[] | undefined;
  const cpHashFor = (alg: number): Buffer => {
    let h = cpHashes.get(alg);
    if (!h) {
      names ??= handles.map((x) => tpm.entityName(x));
      h = computeCpHash(alg, code, names, parameters);
      cpHashes.set(alg, h);
    }
    return h;
  };

  const uses: SessionUse[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < auths.length; i++) {
    const auth = auths[i]!;
    const n = i + 1;
    const authorizes = i < authCount ? handles[i] : undefined;
    const role = roles[i] ?? "none";
    // Part 1 §19.? a session may appear once per command; the password session may authorize several handles
    if (auth.sessionHandle !== TPM_RS_PW && seen.has(auth.sessionHandle)) throw new TpmError(TPM_RC.HANDLE).at("session", n);
    seen.add(auth.sessionHandle);
    // Part 1 §19.4: reserved attribute bits
    if (auth.sessionAttributes & 0x18) throw new TpmError(TPM_RC.RESERVED_BITS).at("session", n);

    if (auth.sessionHandle === TPM_RS_PW) {
      if (authorizes === undefined) throw new TpmError(TPM_RC.VALUE).at("session", n);
      if (auth.nonce.length !== 0) throw new TpmError(TPM_RC.NONCE).at("session", n);
      if (auth.sessionAttributes & ~TPMA_SESSION.continueSession) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
      if (requiresPolicy(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE).at("handle", i + 1);
      checkLockout(tpm, authorizes);
      const authValue = tpm.entityAuthValue(authorizes);
      if (authValue === undefined) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE).at("handle", i + 1);
      if (!equalSecret(trimAuthValue(auth.hmac), trimAuthValue(authValue))) throw authFailure(tpm, authorizes, n);
      uses.push({ index: n, handle: auth.sessionHandle, attributes: auth.sessionAttributes, nonceCaller: EMPTY, session: undefined, authorizes, authValue, cipherAuthValue: EMPTY });
      continue;
    }

    const session = tpm.sessions.loaded(auth.sessionHandle);
    if (!session) throw new TpmError(TPM_RC.REFERENCE_S0 + i);
    const nonceSize = auth.nonce.length;
    if (nonceSize < 16 || nonceSize > digestSize(session.authHash)) throw new TpmError(TPM_RC.NONCE).at("session", n);
    // libtpms: a trial session cannot authorize (TPM_RC_ATTRIBUTES on the session)
    if (session.type === TPM_SE.TRIAL && authorizes !== undefined) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
    const nonceCaller = Buffer.from(auth.nonce);
    let authValue: Buffer = EMPTY;

    if (authorizes !== undefined) {
      if (session.type === TPM_SE.POLICY) {
        authValue = checkPolicy(tpm, session, code, authorizes, n, cpHashFor(session.authHash));
      } else {
        if (requiresPolicy(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE).at("handle", i + 1);
        const value = tpm.entityAuthValue(authorizes);
        if (value === undefined) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE).at("handle", i + 1);
        authValue = isBoundTo(tpm, session, authorizes) ? EMPTY : value;
      }
      if (session.type === TPM_SE.HMAC || session.isAuthValueNeeded) {
        checkLockout(tpm, authorizes);
        const expected = sessionHmac(
          session.authHash,
          session.sessionKey,
          authValue,
          cpHashFor(session.authHash),
          nonceCaller,
          session.nonceTPM,
          EMPTY,
          EMPTY,
          auth.sessionAttributes,
        );
        if (!equalSecret(expected, auth.hmac)) throw authFailure(tpm, authorizes, n);
      } else if (session.isPasswordNeeded) {
        const value = tpm.entityAuthValue(authorizes) ?? EMPTY;
        if (!equalSecret(trimAuthValue(auth.hmac), trimAuthValue(value))) throw authFailure(tpm, authorizes, n);
        authValue = EMPTY;
      }
    } else if (!(auth.sessionAttributes & (TPMA_SESSION.decrypt | TPMA_SESSION.encrypt | TPMA_SESSION.audit))) {
      // Part 1 §19.6.1: a session that authorizes nothing must be there for encryption or audit
      throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
    }
    const cipherAuthValue = authorizes === undefined ? EMPTY : (tpm.entityAuthValue(authorizes) ?? EMPTY);
    uses.push({ index: n, handle: auth.sessionHandle, attributes: auth.sessionAttributes, nonceCaller, session, authorizes, authValue, cipherAuthValue });
  }
  return uses;
}

function checkLockout(tpm: Tpm, handle: number): void {
  const da = tpm.state.da;
  if (isDaProtected(tpm, handle) && da.maxTries > 0 && da.failedTries >= da.maxTries) throw new TpmError(TPM_RC.LOCKOUT);
}

/** Part 1 §19.7.? policy session checks; returns the authValue the session's HMAC key includes. */
function checkPolicy(tpm: Tpm, session: Session, code: number, handle: number, n: number, cpHash: Buffer): Buffer {
  const policy = tpm.entityAuthPolicy(handle);
  if (policy.digest.length === 0 || Buffer.compare(policy.digest, session.policyDigest) !== 0) {
    throw new TpmError(TPM_RC.POLICY_FAIL).at("session", n);
  }
  if (session.commandCode !== undefined && session.commandCode !== code) {
    throw new TpmError(TPM_RC.POLICY_CC).at("session", n);
  }
  if (session.pcrUpdateCounter !== undefined && session.pcrUpdateCounter !== tpm.pcrUpdateCounter) {
    throw new TpmError(TPM_RC.PCR_CHANGED).at("session", n);
  }
  if (session.cpHash !== undefined && Buffer.compare(session.cpHash, cpHash) !== 0) {
    throw new TpmError(TPM_RC.POLICY_FAIL).at("session", n);
  }
  if (session.isAuthValueNeeded) {
    const value = tpm.entityAuthValue(handle) ?? EMPTY;
    return isBoundTo(tpm, session, handle) ? EMPTY : value;
  }
  return EMPTY;
}

/** Part 1 §19.6.5 / §19.6.? response side: roll nonceTPM and compute each session's response HMAC. */
export function buildResponseAuths(
  tpm: Tpm,
  code: number,
  responseParameters: Uint8Array,
  uses: readonly SessionUse[],
): TPMS_AUTH_RESPONSE[] {
  const rpHashes = new Map<number, Buffer>();
  return uses.map((use) => {
    const s = use.session;
    if (!s) return { nonce: EMPTY, sessionAttributes: use.attributes, hmac: EMPTY };
    // a command that changed the entity's authValue answers with the new one (libtpms, Part 3 §24.8)
    if (use.authorizes !== undefined && use.authValue.length > 0 && s.type === TPM_SE.HMAC) {
      use.authValue = currentAuthValue(tpm, use.authorizes) ?? use.authValue;
    }
    let rp = rpHashes.get(s.authHash);
    if (!rp) {
      rp = computeRpHash(s.authHash, TPM_RC.SUCCESS, code, responseParameters);
      rpHashes.set(s.authHash, rp);
    }
    const hmac =
      s.type === TPM_SE.POLICY && s.isPasswordNeeded
        ? EMPTY
        : sessionHmac(s.authHash, s.sessionKey, use.authValue, rp, s.nonceTPM, use.nonceCaller, EMPTY, EMPTY, use.attributes);
    return { nonce: s.nonceTPM, sessionAttributes: use.attributes, hmac };
  });
}

function currentAuthValue(tpm: Tpm, handle: number): Buffer | undefined {
  try {
    return tpm.entityAuthValue(handle);
  } catch {
    return undefined;
  }
}

/** Rolls nonceTPM of every session used (before the response HMAC is computed over the new nonce). */
export function rollNonces(tpm: Tpm, uses: readonly SessionUse[]): void {
  for (const use of uses) {
    const s = use.session;
    if (!s) continue;
    s.nonceCaller = use.nonceCaller;
    s.nonceTPM = tpm.random(s.nonceTPM.length);
  }
}
