/**
 * The TPM's runtime: persistent state plus the volatile parts (object and session slots, PCRs, the null
 * hierarchy, platform signals). Command handlers work on this; the dispatcher owns the order of checks.
 */
import { randomBytes } from "node:crypto";
import {
  TPMT_PUBLIC,
  TPMT_SENSITIVE,
  TPM_ALG,
  TPM_HC,
  TPM_RC,
  TPM_RH,
  TpmError,
  digestSizeOf,
  hashDigest,
  marshal,
  pooledRandomBytes,
  unmarshal,
  TPMS_NV_PUBLIC,
} from "../tpm2/index.js";
import { CommitLedger } from "./ecc-commit.js";
import { parseTpmFault, type TpmFault } from "./faults.js";
import { ObjectSlots, handleName, makeObject, type TpmObject } from "./objects.js";
import { SessionSlots } from "./sessions.js";
import { formatTwoDefaults, type HierarchyRecord, type NvIndexRecord, type PersistentState } from "./state.js";

export const PCR_COUNT = 24;
/** The reference platform's clock rate units: nominal 30000, steps of 1 (fine), 30 (medium), 300 (coarse), ±5 % in all. */
const CLOCK_NOMINAL = 30000;
const CLOCK_ADJUST_STEPS: readonly number[] = [0, 1, 30, 300];
const CLOCK_ADJUST_LIMIT = 1500;
/** The banks a new TPM has allocated. */
export const PCR_BANKS: readonly number[] = formatTwoDefaults().pcrBanks;

export interface TpmLimits {
  objectSlots: number;
  sessionSlots: number;
  nvIndices: number;
  persistentObjects: number;
}

export const DEFAULT_LIMITS: TpmLimits = { objectSlots: 64, sessionSlots: 64, nvIndices: 256, persistentObjects: 64 };

/** A hierarchy as commands see it. */
export interface Hierarchy {
  handle: number;
  record: HierarchyRecord;
  enabled: boolean;
}

export class Tpm {
  readonly objects: ObjectSlots;
  readonly sessions: SessionSlots;
  readonly persistentObjects = new Map<number, TpmObject>();
  pcrs = new Map<number, Buffer[]>();
  pcrUpdateCounter = 0;
  nullHierarchy: HierarchyRecord = freshNullHierarchy();
  phEnable = true;
  phEnableNV = true;
  started = false;
  locality = 0;
  physicalPresence = false;
  /** Commit counter, nonce and outstanding commitments of TPM2_Commit / TPM2_EC_Ephemeral (reset by a TPM Reset). */
  commits: CommitLedger = CommitLedger.fresh();
  /** Counter for saved contexts (Part 1 §30.2). */
  contextCounter = 1n;
  /** Wall-clock time (ms) at which the current power cycle's clock started. */
  private clockBase = Date.now();
  private clockAtBase = 0n;
  private timeBase = Date.now();

  constructor(
    public state: PersistentState,
    readonly limits: TpmLimits = DEFAULT_LIMITS,
    private readonly persistHook: (state: PersistentState) => void = () => undefined,
  ) {
    this.objects = new ObjectSlots(limits.objectSlots);
    this.sessions = new SessionSlots(limits.sessionSlots);
    this.loadPersistentObjects();
    this.resetPcrs();
  }

  /** The fault switches this TPM was made with. */
  get faults(): TpmFault[] {
    if (this.parsedFaults?.source !== this.state.faults) {
      this.parsedFaults = { source: this.state.faults, faults: this.state.faults.map(parseTpmFault) };
    }
    return this.parsedFaults.faults;
  }
  private parsedFaults: { source: string[]; faults: TpmFault[] } | undefined;

  /** Writes NV state before the command's response leaves (Part 1 §37: NV writes are committed). */
  persist(): void {
    this.state.clock = this.clock();
    this.persistHook(this.state);
  }

  /** Bytes from node's CSPRNG (through a process-wide pool: one RNG call per 4 KiB instead of per command). */
  random(n: number): Buffer {
    return pooledRandomBytes(n);
  }

  /** TPM clock in ms: advances while powered, at the rate ClockRateAdjust set, persisted as NV (Part 1 §36.5). */
  clock(): bigint {
    return this.clockAtBase + (BigInt(Date.now() - this.clockBase) * BigInt(this.clockRate)) / BigInt(CLOCK_NOMINAL);
  }

  /**
   * TPM2_ClockSet (Part 3 §29.2): Clock jumps to `ms` and advances from there. The caller checks it only moves
   * forward.
   */
  setClock(ms: bigint): void {
    this.clockAtBase = ms;
    this.clockBase = Date.now();
  }

  /** The last TPM2_ClockRateAdjust request (Part 3 §29.3), -3 (coarse slower) to 3 (coarse faster). */
  clockRateAdjust = 0;

  /** Clock ticks per CLOCK_NOMINAL host ticks: ClockRateAdjust moves it in small steps within ±5 %. */
  clockRate = CLOCK_NOMINAL;

  /**
   * TPM2_ClockRateAdjust (Part 3 §29.3; the reference's _plat__ClockAdjustRate): a coarse, medium or fine step
   * faster or slower, never past the platform's limit. Clock keeps its value and runs at the new rate from now on.
   */
  adjustClockRate(step: number): void {
    this.clockRateAdjust = step;
    const delta = Math.sign(step) * (CLOCK_ADJUST_STEPS[Math.abs(step)] ?? 0);
    const rate = Math.min(CLOCK_NOMINAL + CLOCK_ADJUST_LIMIT, Math.max(CLOCK_NOMINAL - CLOCK_ADJUST_LIMIT, this.clockRate + delta));
    this.setClock(this.clock());
    this.clockRate = rate;
  }

  /** Time in ms since the last TPM Reset or power-on (TPMS_TIME_INFO.time). */
  time(): bigint {
    return BigInt(Date.now() - this.timeBase);
  }

  powerCycle(): void {
    // the platform's timer starts at the nominal rate again (_plat__TimerReset)
    this.clockRate = CLOCK_NOMINAL;
    this.clockAtBase = this.state.clock;
    this.clockBase = Date.now();
    this.timeBase = Date.now();
    this.started = false;
  }

  /** Every allocated bank back to its initial values (Part 1 §17.6). */
  resetPcrs(): void {
    this.pcrs = new Map(this.state.pcrBanks.map((alg) => [alg, Array.from({ length: PCR_COUNT }, (_, i) => pcrInitial(alg, i))]));
    this.pcrUpdateCounter = 0;
  }

  /** TPM Restart/Resume: loaded objects and sessions go, the null hierarchy stays (Part 1 §14.4). */
  resetVolatileObjectsOnly(): void {
    this.objects.flushWhere(() => true);
    this.sessions.clearLoaded();
    this.phEnable = true;
    this.phEnableNV = true;
  }

  /** Part 1 §14.4: a TPM Reset regenerates the null seed and loses every volatile object and session. */
  resetVolatile(): void {
    this.nullHierarchy = freshNullHierarchy();
    this.commits = CommitLedger.fresh();
    this.objects.flushWhere(() => true);
    this.sessions.clear();
    this.phEnable = true;
    this.phEnableNV = true;
    this.timeBase = Date.now();
  }

  // --- hierarchies ------------------------------------------------------------------------------------------

  hierarchy(handle: number): Hierarchy | undefined {
    switch (handle) {
      case TPM_RH.OWNER:
        return { handle, record: this.state.owner, enabled: this.state.shEnable };
      case TPM_RH.ENDORSEMENT:
        return { handle, record: this.state.endorsement, enabled: this.state.ehEnable };
      case TPM_RH.PLATFORM:
        return { handle, record: this.state.platform, enabled: this.phEnable };
      case TPM_RH.NULL:
        return { handle, record: this.nullHierarchy, enabled: true };
      default:
        return undefined;
    }
  }

  /** A hierarchy that must exist and be enabled (TPM_RC_HIERARCHY otherwise, Part 3 §24.1). */
  enabledHierarchy(handle: number): Hierarchy {
    const h = this.hierarchy(handle);
    if (!h) throw new TpmError(TPM_RC.VALUE);
    if (!h.enabled) throw new TpmError(TPM_RC.HIERARCHY);
    return h;
  }

  // --- entities ---------------------------------------------------------------------------------------------

  /** A loaded transient or persistent object. */
  object(handle: number): TpmObject | undefined {
    const top = handle >>> 24;
    if (top === 0x80) return this.objects.get(handle);
    if (top === 0x81) return this.persistentObjects.get(handle);
    return undefined;
  }

  /** The object at `handle`, else TPM_RC_HANDLE (the dispatcher adds which handle). */
  requireObject(handle: number): TpmObject {
    const o = this.object(handle);
    if (!o) throw new TpmError(TPM_RC.HANDLE);
    return o;
  }

  nvIndex(handle: number): NvIndexRecord | undefined {
    return this.state.nv.find((n) => n.public.nvIndex === handle);
  }

  /** Part 1 §16: the Name of any entity a handle can refer to. */
  entityName(handle: number): Buffer {
    const top = handle >>> 24;
    if (top === 0x80 || top === 0x81) return this.requireObject(handle).name;
    if (top === 0x01) {
      const nv = this.nvIndex(handle);
      if (!nv) throw new TpmError(TPM_RC.HANDLE);
      return nvName(nv.public);
    }
    return handleName(handle);
  }

  /** The authValue of the entity; undefined for entities that have none (e.g. public-only objects). */
  entityAuthValue(handle: number): Buffer | undefined {
    const top = handle >>> 24;
    if (top === 0x80 || top === 0x81) {
      const s = this.requireObject(handle).sensitive;
      return s ? Buffer.from(s.authValue) : undefined;
    }
    if (top === 0x01) {
      const nv = this.nvIndex(handle);
      return nv ? Buffer.from(nv.authValue) : undefined;
    }
    if (top === 0x00) return Buffer.alloc(0);
    switch (handle) {
      case TPM_RH.LOCKOUT:
        return Buffer.from(this.state.lockout.authValue);
      case TPM_RH.NULL:
        return Buffer.alloc(0);
      default: {
        const h = this.hierarchy(handle);
        return h ? Buffer.from(h.record.authValue) : undefined;
      }
    }
  }

  /** The authPolicy of the entity and the hash it was computed with. */
  entityAuthPolicy(handle: number): { alg: number; digest: Buffer } {
    const top = handle >>> 24;
    if (top === 0x80 || top === 0x81) {
      const p = this.requireObject(handle).publicArea;
      return { alg: p.nameAlg, digest: Buffer.from(p.authPolicy) };
    }
    if (top === 0x01) {
      const nv = this.nvIndex(handle);
      if (!nv) throw new TpmError(TPM_RC.HANDLE);
      return { alg: nv.public.nameAlg, digest: Buffer.from(nv.public.authPolicy) };
    }
    if (handle === TPM_RH.LOCKOUT) {
      return { alg: this.state.lockout.authPolicyAlg, digest: Buffer.from(this.state.lockout.authPolicy) };
    }
    const h = this.hierarchy(handle);
    if (h) return { alg: h.record.authPolicyAlg, digest: Buffer.from(h.record.authPolicy) };
    return { alg: TPM_ALG.NULL, digest: Buffer.alloc(0) };
  }

  // --- persistent objects -----------------------------------------------------------------------------------

  private loadPersistentObjects(): void {
    this.persistentObjects.clear();
    for (const rec of this.state.objects) {
      const publicArea = unmarshal(TPMT_PUBLIC, rec.publicArea);
      const sensitive = unmarshal(TPMT_SENSITIVE, rec.sensitive);
      const o = makeObject(publicArea, sensitive, rec.hierarchy, handleName(rec.hierarchy), rec.primary);
      o.qualifiedName = Buffer.from(rec.qualifiedName);
      o.persistentHandle = rec.handle;
      this.persistentObjects.set(rec.handle, o);
    }
  }

  /** Adds a persistent copy of `object` at `handle` (EvictControl). */
  addPersistent(handle: number, object: TpmObject): void {
    if (!object.sensitive) throw new TpmError(TPM_RC.ATTRIBUTES);
    const copy: TpmObject = { ...object, persistentHandle: handle, cache: object.cache };
    this.persistentObjects.set(handle, copy);
    this.state.objects.push({
      handle,
      hierarchy: object.hierarchy,
      primary: object.primary,
      qualifiedName: object.qualifiedName,
      publicArea: object.publicBytes,
      sensitive: marshal(TPMT_SENSITIVE, object.sensitive),
    });
  }

  removePersistent(handle: number): void {
    this.persistentObjects.delete(handle);
    this.state.objects = this.state.objects.filter((o) => o.handle !== handle);
  }

  /** Part 1 §17.3: objects of a hierarchy become unusable when it is disabled or cleared. */
  flushHierarchy(hierarchy: number): void {
    this.objects.flushWhere((o) => o.hierarchy === hierarchy);
  }

  isPersistentHandle(handle: number): boolean {
    return handle >= TPM_HC.PERSISTENT_FIRST && handle <= TPM_HC.PERSISTENT_LAST;
  }
}


/** Part 2 §13.5 / Part 1 §16: Name of an NV index = nameAlg || H(TPMS_NV_PUBLIC). */
export function nvName(pub: TPMS_NV_PUBLIC): Buffer {
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(pub.nameAlg);
  return Buffer.concat([alg, hashDigest(pub.nameAlg, marshal(TPMS_NV_PUBLIC, pub))]);
}

/** Part 1 §17.6: PCRs 17–22 start at all ones (DRTM), the others at zero. */
export function pcrInitial(alg: number, index: number): Buffer {
  const size = digestSizeOf(alg);
  return index >= 17 && index <= 22 ? Buffer.alloc(size, 0xff) : Buffer.alloc(size);
}

function freshNullHierarchy(): HierarchyRecord {
  return {
    seed: randomBytes(64),
    proof: randomBytes(64),
    authValue: Buffer.alloc(0),
    authPolicy: Buffer.alloc(0),
    authPolicyAlg: TPM_ALG.NULL,
  };
}
