/**
 * Authorization checks for one command (Part 1 §19, Part 3 §5.6.4–§5.6.5; the reference's SessionProcess.c):
 * password, HMAC and policy sessions, roles, dictionary-attack protection, audit-session attributes, and the
 * response-side nonce rolling and HMAC.
 */
import { timingSafeEqual } from "node:crypto";
import {
  TPM_CC,
  TPM_NT,
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
  hashDigest,
  sessionHmac,
  trimAuthValue,
  type AuthRole,
  type TPMS_AUTH_COMMAND,
  type TPMS_AUTH_RESPONSE,
} from "../tpm2/index.js";
import { auditState } from "./commands/audit/audit-state.js";
import { isPhysicalPresenceRequired } from "./physical-presence.js";
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
  /** The reference's includeAuth: the authorized entity's authValue is part of the HMAC key. */
  includeAuth: boolean;
  /** The caller sent an empty HMAC (allowed, and answered with one, when the HMAC key is empty too). */
  emptyHmac: boolean;
  /** cpHash of the command with the session's hash, for an audit session (computed before the command runs). */
  cpHash: Buffer | undefined;
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

// --- dictionary attack (Part 1 §19.8; the reference's IsDAExempted, CheckLockedOut, IncrementLockout, DASelfHeal)

interface DaTimers {
  /** Clock (ms) of the last failure, or of the last failedTries decrement. */
  selfHealTimer: bigint;
  /** Clock (ms) of the last lockoutAuth failure. */
  lockoutTimer: bigint;
  /** resetCount/restartCount when the timers were started: a new power cycle restarts them. */
  cycle: string;
  resetCount: number;
}

const daTimers = new WeakMap<Tpm, DaTimers>();

function timersOf(tpm: Tpm): DaTimers {
  const s = tpm.state;
  const cycle = `${s.resetCount}/${s.restartCount}`;
  let t = daTimers.get(tpm);
  if (!t) {
    t = { selfHealTimer: tpm.clock(), lockoutTimer: tpm.clock(), cycle, resetCount: s.resetCount };
    daTimers.set(tpm, t);
  } else if (t.cycle !== cycle) {
    // DAStartup: timers restart; with lockoutRecovery 0 only a TPM Reset gives lockoutAuth back
    if (s.resetCount !== t.resetCount && s.da.lockoutRecovery === 0) s.lockoutAuthEnabled = true;
    t.selfHealTimer = tpm.clock();
    t.lockoutTimer = tpm.clock();
    t.cycle = cycle;
    t.resetCount = s.resetCount;
  }
  return t;
}

/** Whether failures against this entity count toward dictionary-attack lockout (IsDAExempted negated). */
export function isDaProtected(tpm: Tpm, handle: number): boolean {
  const top = handle >>> 24;
  if (top === 0x80 || top === 0x81) return (tpm.requireObject(handle).publicArea.objectAttributes & TPMA_OBJECT.noDA) === 0;
  if (top === 0x01) return ((tpm.nvIndex(handle)?.public.attributes ?? TPMA_NV.NO_DA) & TPMA_NV.NO_DA) === 0;
  return handle === TPM_RH.LOCKOUT;
}

/** Whether lockoutAuth may be used (it is not after a failure, until lockoutRecovery passes). */
export function isLockoutAuthEnabled(tpm: Tpm): boolean {
  timersOf(tpm);
  return tpm.state.lockoutAuthEnabled;
}

/**
 * DASelfHeal, run before every command: one failed try is forgotten per recoveryTime seconds of TPM Clock since the
 * last failure, and lockoutAuth comes back lockoutRecovery seconds after its last failure.
 * @returns true when the persistent DA state changed.
 */
export function healDictionaryAttack(tpm: Tpm): boolean {
  const da = tpm.state.da;
  const t = timersOf(tpm);
  const now = tpm.clock();
  let changed = false;
  if (da.failedTries !== 0) {
    if (da.recoveryTime === 0) {
      da.failedTries = 0;
      changed = true;
    } else {
      const elapsed = now > t.selfHealTimer ? now - t.selfHealTimer : 0n;
      const decrease = elapsed / 1000n / BigInt(da.recoveryTime);
      if (decrease > 0n) {
        da.failedTries = decrease >= BigInt(da.failedTries) ? 0 : da.failedTries - Number(decrease);
        t.selfHealTimer += decrease * BigInt(da.recoveryTime) * 1000n;
        changed = true;
      }
    }
  }
  if (!tpm.state.lockoutAuthEnabled && da.lockoutRecovery !== 0) {
    const elapsed = now > t.lockoutTimer ? now - t.lockoutTimer : 0n;
    if (elapsed / 1000n >= BigInt(da.lockoutRecovery)) {
      tpm.state.lockoutAuthEnabled = true;
      changed = true;
    }
  }
  return changed;
}

/** TPM2_DictionaryAttackLockReset (Part 3 §25.2): no failed tries any more. */
export function resetDictionaryAttack(tpm: Tpm): void {
  tpm.state.da.failedTries = 0;
  timersOf(tpm).selfHealTimer = tpm.clock();
}

/** CheckLockedOut: TPM_RC_LOCKOUT while DA-protected entities (or lockoutAuth) are locked out. */
function checkLockout(tpm: Tpm, handle: number): void {
  if (!isDaProtected(tpm, handle)) return;
  if (handle === TPM_RH.LOCKOUT) {
    if (!isLockoutAuthEnabled(tpm)) throw new TpmError(TPM_RC.LOCKOUT);
    return;
  }
  const da = tpm.state.da;
  if (da.failedTries >= da.maxTries) throw new TpmError(TPM_RC.LOCKOUT);
}

/**
 * IncrementLockout: a failed authorization of a DA-protected entity (that used its authValue) counts as a failed
 * try, or disables lockoutAuth; otherwise it is only TPM_RC_BAD_AUTH.
 */
function authFailure(tpm: Tpm, handle: number, index: number, includeAuth: boolean): TpmError {
  if (!includeAuth || !isDaProtected(tpm, handle)) return new TpmError(TPM_RC.BAD_AUTH).at("session", index);
  const t = timersOf(tpm);
  if (handle === TPM_RH.LOCKOUT) {
    tpm.state.lockoutAuthEnabled = false;
    t.lockoutTimer = tpm.clock();
    tpm.persist();
  } else {
    if (tpm.state.da.recoveryTime !== 0) tpm.state.da.failedTries++;
    t.selfHealTimer = tpm.clock();
    tpm.persist();
  }
  return new TpmError(TPM_RC.AUTH_FAIL).at("session", index);
}

// --- which kind of authorization an entity accepts (Part 1 §19.7.5)

function isObjectHandle(handle: number): boolean {
  const top = handle >>> 24;
  return top === 0x80 || top === 0x81;
}

/** IsPolicySessionRequired: DUP always; ADMIN unless the object allows it with its authValue. */
function isPolicyRequired(tpm: Tpm, handle: number, role: AuthRole): boolean {
  if (role === "dup") return true;
  if (role !== "admin") return false;
  if (!isObjectHandle(handle)) return true;
  return (tpm.requireObject(handle).publicArea.objectAttributes & TPMA_OBJECT.adminWithPolicy) !== 0;
}

/** IsAuthValueAvailable (objects: a loaded sensitive area, and userWithAuth or ADMIN role without adminWithPolicy). */
function isAuthValueAvailable(tpm: Tpm, handle: number, role: AuthRole): boolean {
  if (isObjectHandle(handle)) {
    const o = tpm.requireObject(handle);
    const attrs = o.publicArea.objectAttributes;
    return (
      o.sensitive !== undefined &&
      ((attrs & TPMA_OBJECT.userWithAuth) !== 0 || (role === "admin" && (attrs & TPMA_OBJECT.adminWithPolicy) === 0))
    );
  }
  // a PIN index's authValue is there while the index is written and pinCount is below pinLimit
  if (isPinIndexHandle(tpm, handle)) {
    const pin = pinCounter(tpm, handle);
    return pin !== undefined && pin.count < pin.limit;
  }
  return tpm.entityAuthValue(handle) !== undefined;
}

/** The (pinCount, pinLimit) of a written PIN index, else undefined (Part 2 §13.4 TPMS_NV_PIN_COUNTER_PARAMETERS). */
function pinCounter(tpm: Tpm, handle: number): { count: number; limit: number } | undefined {
  if (handle >>> 24 !== 0x01) return undefined;
  const nv = tpm.nvIndex(handle);
  if (!nv || !(nv.public.attributes & TPMA_NV.WRITTEN)) return undefined;
  const type = (nv.public.attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT;
  if (type !== TPM_NT.PIN_FAIL && type !== TPM_NT.PIN_PASS) return undefined;
  const data = Buffer.from(nv.data);
  return { count: data.readUInt32BE(0), limit: data.readUInt32BE(4) };
}

function isPinIndexHandle(tpm: Tpm, handle: number): boolean {
  if (handle >>> 24 !== 0x01) return false;
  const attributes = tpm.nvIndex(handle)?.public.attributes ?? 0;
  const type = (attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT;
  return type === TPM_NT.PIN_FAIL || type === TPM_NT.PIN_PASS;
}

/**
 * The PIN processing of CheckAuthSession: a written PIN Fail index counts a failed authorization and starts over
 * after a good one; a written PIN Pass index counts every good one.
 */
function notePinUse(tpm: Tpm, handle: number, ok: boolean): void {
  const pin = pinCounter(tpm, handle);
  if (!pin) return;
  const nv = tpm.nvIndex(handle)!;
  const type = (nv.public.attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT;
  let count = pin.count;
  if (type === TPM_NT.PIN_FAIL) count = ok ? 0 : count + 1;
  else if (ok) count++;
  else return;
  const data = Buffer.from(nv.data);
  data.writeUInt32BE(count >>> 0, 0);
  nv.data = data;
  tpm.persist();
}

/** IsAuthPolicyAvailable: a non-empty authPolicy (objects: with their sensitive area loaded). */
function isAuthPolicyAvailable(tpm: Tpm, handle: number): boolean {
  if (isObjectHandle(handle)) return tpm.requireObject(handle).sensitive !== undefined;
  if (handle >>> 24 === 0x00) return false;
  return tpm.entityAuthPolicy(handle).digest.length !== 0;
}

/** What a policy check needs to know about the command. */
interface CommandFacts {
  code: number;
  handles: readonly number[];
  parameters: Uint8Array;
  cpHashFor: (alg: number) => Buffer;
}

/** CompareTemplateHash: the hash of the second parameter (inPublic) of TPM2_Create/CreatePrimary/CreateLoaded. */
function templateMatches(session: Session, facts: CommandFacts): boolean {
  if (facts.code !== TPM_CC.Create && facts.code !== TPM_CC.CreatePrimary && facts.code !== TPM_CC.CreateLoaded) return false;
  const p = Buffer.from(facts.parameters);
  if (p.length < 2) return false;
  const first = 2 + p.readUInt16BE(0);
  if (p.length < first + 2) return false;
  const size = p.readUInt16BE(first);
  if (size > p.length - first - 2) return false;
  return equalSecret(hashDigest(session.authHash, p.subarray(first + 2, first + 2 + size)), session.templateHash ?? EMPTY);
}

/** CompareNameHash: H(Names of all handles of the command). */
function nameHashMatches(tpm: Tpm, session: Session, facts: CommandFacts): boolean {
  const names = facts.handles.map((h) => tpm.entityName(h));
  return equalSecret(hashDigest(session.authHash, ...names), session.nameHash ?? EMPTY);
}

/** The locality check of CheckPolicyAuthSession (TPMA_LOCALITY bits for 0–4, or one extended locality). */
function localityAllowed(mask: number, locality: number): boolean {
  if (locality < 5) return (mask & (1 << locality)) !== 0 && mask <= 31;
  if (locality > 31) return mask === locality;
  return false;
}

/** CheckPolicyAuthSession: the policy session's digest and deferred assertions against this command. */
function checkPolicy(tpm: Tpm, session: Session, handle: number, role: AuthRole, n: number, facts: CommandFacts): void {
  const fail = (rc: number) => new TpmError(rc).at("session", n);
  if (facts.code === TPM_CC.PolicySecret && !session.isPasswordNeeded && !session.isAuthValueNeeded) throw fail(TPM_RC.MODE);
  if (session.pcrUpdateCounter !== undefined && session.pcrUpdateCounter !== tpm.pcrUpdateCounter) throw fail(TPM_RC.PCR_CHANGED);
  const policy = tpm.entityAuthPolicy(handle);
  if (!equalSecret(policy.digest, session.policyDigest)) throw fail(TPM_RC.POLICY_FAIL);
  if (policy.alg !== session.authHash) throw fail(TPM_RC.POLICY_FAIL);
  if (session.timeout !== undefined && session.timeout < tpm.time()) throw fail(TPM_RC.EXPIRED);
  if (session.commandCode !== undefined) {
    if (session.commandCode !== facts.code) throw fail(TPM_RC.POLICY_CC);
  } else if (role === "admin" || role === "dup") {
    throw fail(TPM_RC.POLICY_FAIL);
  }
  if (session.commandLocality !== undefined && session.commandLocality !== 0 && !localityAllowed(session.commandLocality, tpm.locality)) {
    throw fail(TPM_RC.LOCALITY);
  }
  if (session.isPPRequired && !tpm.physicalPresence) throw fail(TPM_RC.PP);
  if (session.cpHash !== undefined && !equalSecret(session.cpHash, facts.cpHashFor(session.authHash))) throw fail(TPM_RC.POLICY_FAIL);
  if (session.templateHash !== undefined && !templateMatches(session, facts)) throw fail(TPM_RC.POLICY_FAIL);
  if (session.nameHash !== undefined && !nameHashMatches(tpm, session, facts)) throw fail(TPM_RC.POLICY_FAIL);
}

/** The first pass over the session area (the reference's RetrieveSessionData): attributes, nonces, audit. */
function checkSessionArea(tpm: Tpm, auths: readonly TPMS_AUTH_COMMAND[]): void {
  let auditIndex: number | undefined;
  auths.forEach((auth, i) => {
    const n = i + 1;
    // Part 1 §19.4: reserved attribute bits
    if (auth.sessionAttributes & 0x18) throw new TpmError(TPM_RC.RESERVED_BITS).at("session", n);
    if (auth.sessionHandle === TPM_RS_PW) {
      if (auth.sessionAttributes & ~TPMA_SESSION.continueSession) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
      if (auth.nonce.length !== 0) throw new TpmError(TPM_RC.NONCE).at("session", n);
      return;
    }
    const session = tpm.sessions.loaded(auth.sessionHandle);
    if (!session) throw new TpmError(TPM_RC.REFERENCE_S0 + i);
    if (auths.slice(0, i).some((a) => a.sessionHandle === auth.sessionHandle)) throw new TpmError(TPM_RC.HANDLE).at("session", n);
    if (auth.sessionAttributes & TPMA_SESSION.audit) {
      if (auditIndex !== undefined || session.type !== TPM_SE.HMAC) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
      auditIndex = i;
      const exclusiveWanted = (auth.sessionAttributes & TPMA_SESSION.auditExclusive) !== 0;
      const reset = (auth.sessionAttributes & TPMA_SESSION.auditReset) !== 0;
      if (!reset && session.isAudit && exclusiveWanted && auditState(tpm).exclusiveSession !== auth.sessionHandle) {
        throw new TpmError(TPM_RC.EXCLUSIVE);
      }
    }
  });
}

/**
 * Part 1 §19.6.5: when a session other than the first decrypts the command or encrypts the response, its nonceTPM
 * (nonceDecrypt, nonceEncrypt; the latter only when it is not also the decrypt session) goes into the first
 * session's HMAC, so that the first session's owner vouches for the encryption sessions.
 */
function firstSessionExtraNonces(tpm: Tpm, auths: readonly TPMS_AUTH_COMMAND[]): { nonceDecrypt: Buffer; nonceEncrypt: Buffer } {
  const indexOf = (bit: number) => auths.findIndex((a) => a.sessionHandle !== TPM_RS_PW && (a.sessionAttributes & bit) !== 0);
  const nonceOf = (i: number) => (i > 0 ? (tpm.sessions.loaded(auths[i]!.sessionHandle)?.nonceTPM ?? EMPTY) : EMPTY);
  const decrypt = indexOf(TPMA_SESSION.decrypt);
  const encrypt = indexOf(TPMA_SESSION.encrypt);
  return { nonceDecrypt: nonceOf(decrypt), nonceEncrypt: encrypt === decrypt ? EMPTY : nonceOf(encrypt) };
}

/**
 * Checks every session of a command. `parameters` is the raw (still encrypted) parameter area, over which cpHash
 * is computed. Returns the sessions in order for the response side.
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
  checkSessionArea(tpm, auths);
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
  const facts: CommandFacts = { code, handles, parameters, cpHashFor };
  const { nonceDecrypt, nonceEncrypt } = firstSessionExtraNonces(tpm, auths);

  const uses: SessionUse[] = [];
  for (let i = 0; i < auths.length; i++) {
    const auth = auths[i]!;
    const n = i + 1;
    const authorizes = i < authCount ? handles[i] : undefined;
    const role = roles[i] ?? "none";
    const emptyHmac = auth.hmac.length === 0;
    // CheckAuthSession: platform authorization of a command on the PP list needs physical presence asserted
    if (authorizes === TPM_RH.PLATFORM && isPhysicalPresenceRequired(tpm, code) && !tpm.physicalPresence) {
      throw new TpmError(TPM_RC.PP).at("session", n);
    }

    if (auth.sessionHandle === TPM_RS_PW) {
      if (authorizes === undefined) throw new TpmError(TPM_RC.HANDLE).at("session", n);
      checkLockout(tpm, authorizes);
      if (isPolicyRequired(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_TYPE);
      if (!isAuthValueAvailable(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE);
      const authValue = tpm.entityAuthValue(authorizes) ?? EMPTY;
      const good = equalSecret(trimAuthValue(auth.hmac), trimAuthValue(authValue));
      notePinUse(tpm, authorizes, good);
      if (!good) throw authFailure(tpm, authorizes, n, true);
      uses.push({
        index: n,
        handle: auth.sessionHandle,
        attributes: auth.sessionAttributes,
        nonceCaller: EMPTY,
        session: undefined,
        authorizes,
        authValue,
        includeAuth: true,
        emptyHmac,
        cpHash: undefined,
        cipherAuthValue: EMPTY,
      });
      continue;
    }

    const session = tpm.sessions.loaded(auth.sessionHandle)!;
    const nonceSize = auth.nonce.length;
    // a PolicyPassword session authorizing a handle is checked like a password (CheckPWAuthSession): the reference
    // puts no bound on its nonceCaller, and ESYS sends it empty
    const passwordLike = session.type === TPM_SE.POLICY && session.isPasswordNeeded && i < authCount;
    if (!passwordLike && (nonceSize < 16 || nonceSize > digestSize(session.authHash))) throw new TpmError(TPM_RC.NONCE).at("session", n);
    // libtpms: a trial session cannot appear in the session area
    if (session.type === TPM_SE.TRIAL) throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
    const nonceCaller = Buffer.from(auth.nonce);
    let includeAuth = false;

    if (authorizes !== undefined) {
      const isPolicy = session.type === TPM_SE.POLICY;
      includeAuth = isPolicy ? session.isAuthValueNeeded || session.isPasswordNeeded : !isBoundTo(tpm, session, authorizes);
      if (includeAuth) checkLockout(tpm, authorizes);
      if (!isPolicy) {
        if (isPolicyRequired(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_TYPE);
        if (!isAuthValueAvailable(tpm, authorizes, role)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE);
      } else {
        if (!isAuthPolicyAvailable(tpm, authorizes)) throw new TpmError(TPM_RC.AUTH_UNAVAILABLE);
        checkPolicy(tpm, session, authorizes, role, n, facts);
      }
    } else if (!(auth.sessionAttributes & (TPMA_SESSION.decrypt | TPMA_SESSION.encrypt | TPMA_SESSION.audit))) {
      // Part 1 §19.6.1: a session that authorizes nothing must be there for encryption or audit
      throw new TpmError(TPM_RC.ATTRIBUTES).at("session", n);
    }

    const authValue = includeAuth && authorizes !== undefined ? (tpm.entityAuthValue(authorizes) ?? EMPTY) : EMPTY;
    if (session.type === TPM_SE.POLICY && session.isPasswordNeeded && authorizes !== undefined) {
      const good = equalSecret(trimAuthValue(auth.hmac), trimAuthValue(authValue));
      notePinUse(tpm, authorizes, good);
      if (!good) throw authFailure(tpm, authorizes, n, includeAuth);
    } else {
      const keyEmpty = session.sessionKey.length === 0 && trimAuthValue(authValue).length === 0;
      const ok =
        (keyEmpty && emptyHmac) ||
        equalSecret(
          sessionHmac(
            session.authHash,
            session.sessionKey,
            authValue,
            cpHashFor(session.authHash),
            nonceCaller,
            session.nonceTPM,
            i === 0 ? nonceDecrypt : EMPTY,
            i === 0 ? nonceEncrypt : EMPTY,
            auth.sessionAttributes,
          ),
          auth.hmac,
        );
      if (authorizes !== undefined) notePinUse(tpm, authorizes, ok);
      if (!ok) {
        if (authorizes === undefined) throw new TpmError(TPM_RC.BAD_AUTH).at("session", n);
        throw authFailure(tpm, authorizes, n, includeAuth);
      }
    }
    const cipherAuthValue = authorizes === undefined ? EMPTY : (tpm.entityAuthValue(authorizes) ?? EMPTY);
    const cpHash = auth.sessionAttributes & TPMA_SESSION.audit ? cpHashFor(session.authHash) : undefined;
    uses.push({
      index: n,
      handle: auth.sessionHandle,
      attributes: auth.sessionAttributes,
      nonceCaller,
      session,
      authorizes,
      authValue,
      includeAuth,
      emptyHmac,
      cpHash,
      cipherAuthValue,
    });
  }
  return uses;
}

/** Part 1 §19.6.5 response side: each session's response HMAC over rpHash and the new nonceTPM. */
export function buildResponseAuths(
  tpm: Tpm,
  code: number,
  responseParameters: Uint8Array,
  uses: readonly SessionUse[],
): TPMS_AUTH_RESPONSE[] {
  const rpHashes = new Map<number, Buffer>();
  return uses.map((use) => {
    const s = use.session;
    if (!s) return { nonce: EMPTY, sessionAttributes: use.attributes | TPMA_SESSION.continueSession, hmac: EMPTY };
    // the key holds the entity's authValue as it is now: a command that changed it answers with the new one
    const authValue = use.includeAuth && use.authorizes !== undefined ? (currentAuthValue(tpm, use.authorizes) ?? EMPTY) : EMPTY;
    let rp = rpHashes.get(s.authHash);
    if (!rp) {
      rp = computeRpHash(s.authHash, TPM_RC.SUCCESS, code, responseParameters);
      rpHashes.set(s.authHash, rp);
    }
    const keyEmpty = s.sessionKey.length === 0 && trimAuthValue(authValue).length === 0;
    const hmac =
      (s.type === TPM_SE.POLICY && s.isPasswordNeeded) || (keyEmpty && use.emptyHmac)
        ? EMPTY
        : sessionHmac(s.authHash, s.sessionKey, authValue, rp, s.nonceTPM, use.nonceCaller, EMPTY, EMPTY, use.attributes);
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
