/**
 * Authorization sessions (Part 1 §19): HMAC, policy and trial sessions, with their nonces, session key and
 * policy state, in session slots (HMAC handles 0x02xxxxxx, policy 0x03xxxxxx) that ContextSave can swap out.
 */
import { TPM_HC, TPM_RC, TPM_SE, TpmError, type TPMT_SYM_DEF } from "../tpm2/index.js";

export interface Session {
  type: number;
  authHash: number;
  symmetric: TPMT_SYM_DEF;
  sessionKey: Buffer;
  nonceTPM: Buffer;
  nonceCaller: Buffer;
  /** Name of the bind entity and its auth value at binding time (Part 1 §19.6.8). */
  boundEntity: Buffer | undefined;
  salted: boolean;
  policyDigest: Buffer;
  /** Policy assertions deferred to authorization time (Part 3 §23). */
  commandCode: number | undefined;
  isAuthValueNeeded: boolean;
  isPasswordNeeded: boolean;
  pcrUpdateCounter: number | undefined;
  cpHash: Buffer | undefined;
  nameHash: Buffer | undefined;
  /** TPM Time (ms) the session started at, or its nonce last rolled (Part 3 §23.3 expiration counts from here). */
  startTime?: bigint | undefined;
  /** TPM Time after which the policy session may no longer authorize (TPM2_PolicySigned/Secret/Ticket). */
  timeout?: bigint | undefined;
  /** TPMA_LOCALITY mask (or extended locality) set by TPM2_PolicyLocality; undefined: any locality. */
  commandLocality?: number | undefined;
  /** TPM2_PolicyPhysicalPresence: authorization needs physical presence. */
  isPPRequired?: boolean | undefined;
  /** TPM2_PolicyTemplate: the digest of the template TPM2_Create/CreatePrimary must be given. */
  templateHash?: Buffer | undefined;
  /** Set once the session has been used for audit (Part 1 §19.6.?): its digest is then `auditDigest`. */
  isAudit?: boolean | undefined;
  /** Session audit digest: H(auditDigest_old || cpHash || rpHash) over each audited command. */
  auditDigest?: Buffer | undefined;
}

export interface SessionSlot {
  session: Session;
  /** Set while the session context is saved off-TPM: the sequence the blob must carry to come back. */
  savedSequence: bigint | undefined;
}

/** Session slots; a handle's low bits are its slot, its top byte says HMAC or policy. */
export class SessionSlots {
  private readonly slots: (SessionSlot | undefined)[];

  constructor(readonly capacity: number) {
    this.slots = new Array<SessionSlot | undefined>(capacity).fill(undefined);
  }

  /** Part 3 §11.1: all slots used is TPM_RC_SESSION_HANDLES. */
  add(session: Session): number {
    const i = this.slots.indexOf(undefined);
    if (i < 0) throw new TpmError(TPM_RC.SESSION_HANDLES);
    this.slots[i] = { session, savedSequence: undefined };
    const base = session.type === TPM_SE.HMAC ? TPM_HC.HMAC_SESSION_FIRST : TPM_HC.POLICY_SESSION_FIRST;
    return (base + i) >>> 0;
  }

  private slotOf(handle: number): SessionSlot | undefined {
    const top = handle >>> 24;
    const slot = this.slots[handle & 0xffffff];
    if (!slot) return undefined;
    const wantTop = slot.session.type === TPM_SE.HMAC ? 0x02 : 0x03;
    return top === wantTop ? slot : undefined;
  }

  /** A loaded (not saved) session. */
  loaded(handle: number): Session | undefined {
    const slot = this.slotOf(handle);
    return slot && slot.savedSequence === undefined ? slot.session : undefined;
  }

  /** A slot in either state. */
  slot(handle: number): SessionSlot | undefined {
    return this.slotOf(handle);
  }

  remove(handle: number): boolean {
    if (!this.slotOf(handle)) return false;
    this.slots[handle & 0xffffff] = undefined;
    return true;
  }

  /**
   * Frees the slot of `handle` whichever session type its top byte names: TPM2_FlushContext finds a session by its
   * slot alone (the reference's SessionFlush masks the type), and TPM_CAP_HANDLES reports saved policy sessions
   * with the HMAC prefix.
   */
  removeSlot(handle: number): boolean {
    const i = handle & 0xffffff;
    if (!this.slots[i]) return false;
    this.slots[i] = undefined;
    return true;
  }

  handles(filter: (s: SessionSlot) => boolean): number[] {
    const out: number[] = [];
    this.slots.forEach((s, i) => {
      if (s && filter(s)) {
        const base = s.session.type === TPM_SE.HMAC ? TPM_HC.HMAC_SESSION_FIRST : TPM_HC.POLICY_SESSION_FIRST;
        out.push((base + i) >>> 0);
      }
    });
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
  }

  /** Drops loaded sessions, keeping saved ones (TPM Restart/Resume keep saved session contexts, Part 1 §30.?). */
  clearLoaded(): void {
    this.slots.forEach((s, i) => {
      if (s && s.savedSequence === undefined) this.slots[i] = undefined;
    });
  }

  get used(): number {
    return this.slots.filter(Boolean).length;
  }
}

/** Part 3 §23.16 PolicyRestart: back to the initial policy state. */
export function resetPolicy(session: Session): void {
  session.policyDigest = Buffer.alloc(session.policyDigest.length);
  session.commandCode = undefined;
  session.isAuthValueNeeded = false;
  session.isPasswordNeeded = false;
  session.pcrUpdateCounter = undefined;
  session.cpHash = undefined;
  session.nameHash = undefined;
  session.timeout = undefined;
  session.commandLocality = undefined;
  session.isPPRequired = undefined;
  session.templateHash = undefined;
}
