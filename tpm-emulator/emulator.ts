/**
 * The public face of the emulator: a TPM that takes command bytes and returns response bytes, with the
 * platform's signals (power, NV, locality, physical presence) and its NV kept in a state directory or in memory.
 */
import { randomBytes } from "node:crypto";
import { findVendor } from "../certs/index.js";
import { ensurePrivateDirSync } from "../lib/index.js";
import { TPM_ALG, TPM_CC, TPM_RC, buildErrorResponse, kdfa } from "../tpm2/index.js";
import { COMMAND_TABLE } from "./commands/index.js";
import { dispatch } from "./dispatcher.js";
import { hasFault } from "./faults.js";
import { TpmStateFileError, decodeState, encodeState, loadStateFile, saveStateFile } from "./state-file.js";
import { STATE_FORMAT_VERSION, formatTwoDefaults, type HierarchyRecord, type PersistentState, type TpmIdentity } from "./state.js";
import { DEFAULT_LIMITS, Tpm, type TpmLimits } from "./tpm.js";
import { findVendorProfile, type VendorProfile } from "./vendor-profiles.js";

const FAILURE_MODE_COMMANDS: ReadonlySet<number> = new Set([TPM_CC.GetCapability, TPM_CC.GetTestResult]);

/** What a TPM 1.2 answers to a TPM 2.0 command: TPM_TAG_RSP_COMMAND, size 10, TPM_BADTAG (TPM 1.2 Part 2 §16). */
const TPM12_BAD_TAG = Buffer.from("00c40000000a0000001e", "hex");

function commandCodeOf(command: Uint8Array): number {
  return command.length >= 10 ? Buffer.from(command.buffer, command.byteOffset, command.length).readUInt32BE(6) : 0;
}

export interface TpmEmulatorOptions {
  /** Keep NV in this directory (one CBOR file); in memory when absent. */
  stateDir?: string;
  limits?: Partial<TpmLimits>;
}

export interface NewTpmOptions extends TpmEmulatorOptions {
  vendor?: string;
  /** Manufacturing seed: the same seed gives the same hierarchy seeds (and so the same EKs). Random if absent. */
  seed?: Uint8Array;
  firmware?: { major: number; minor: number };
}

/** Builds the identity a vendor profile burns in. */
export function identityOf(profile: VendorProfile, firmware = profile.firmware): TpmIdentity {
  return {
    vendor: profile.code,
    manufacturerId: findVendor(profile.code)!.manufacturerId,
    vendorStrings: profile.vendorStrings,
    vendorTpmType: 0,
    firmwareVersion1: ((firmware.major & 0xffff) << 16) | (firmware.minor & 0xffff),
    firmwareVersion2: profile.firmware2,
    specLevel: profile.spec.level,
    specRevision: profile.spec.revision,
    specYear: profile.spec.year,
    specDayOfYear: profile.spec.dayOfYear,
    model: profile.model,
    kind: profile.kind,
    provisionedEks: [],
  };
}

function hierarchyFromSeed(seed: Uint8Array, label: string): HierarchyRecord {
  return {
    seed: kdfa(TPM_ALG.SHA512, seed, `${label} seed`, new Uint8Array(), new Uint8Array(), 512),
    proof: kdfa(TPM_ALG.SHA512, seed, `${label} proof`, new Uint8Array(), new Uint8Array(), 512),
    authValue: Buffer.alloc(0),
    authPolicy: Buffer.alloc(0),
    authPolicyAlg: TPM_ALG.NULL,
  };
}

/** A TPM fresh from the factory: seeds from `seed`, empty NV, default auth, dictionary-attack defaults. */
export function newTpmState(identity: TpmIdentity, seed: Uint8Array = randomBytes(32)): PersistentState {
  return {
    formatVersion: STATE_FORMAT_VERSION,
    identity,
    endorsement: hierarchyFromSeed(seed, "endorsement"),
    owner: hierarchyFromSeed(seed, "owner"),
    platform: hierarchyFromSeed(seed, "platform"),
    lockout: { authValue: Buffer.alloc(0), authPolicy: Buffer.alloc(0), authPolicyAlg: TPM_ALG.NULL },
    contextSecret: randomBytes(32),
    shEnable: true,
    ehEnable: true,
    disableClear: false,
    nv: [],
    objects: [],
    clock: 0n,
    resetCount: 0,
    restartCount: 0,
    clearCount: 0,
    da: { failedTries: 0, maxTries: 32, recoveryTime: 7200, lockoutRecovery: 86400 },
    savedState: undefined,
    orderly: true,
    faults: [],
    ...formatTwoDefaults(),
  };
}

export class TpmEmulator {
  /** The runtime; exposed for manufacturing, inspection and white-box tests. */
  readonly runtime: Tpm;
  private powered = true;
  private failed = false;
  private commandsSincePowerOn = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    state: PersistentState,
    readonly stateDir: string | undefined,
    limits: Partial<TpmLimits> | undefined,
  ) {
    const hook = stateDir ? (s: PersistentState) => saveStateFile(stateDir, s) : () => undefined;
    this.runtime = new Tpm(state, { ...DEFAULT_LIMITS, ...limits }, hook);
    this.runtime.powerCycle();
  }

  /** A new TPM of a vendor (default IFX), powered on and waiting for TPM2_Startup. */
  static create(opts: NewTpmOptions = {}): TpmEmulator {
    const profile = findVendorProfile(opts.vendor ?? "IFX");
    if (!profile) throw new Error(`unknown TPM vendor ${opts.vendor}`);
    const state = newTpmState(identityOf(profile, opts.firmware), opts.seed);
    if (opts.stateDir) ensurePrivateDirSync(opts.stateDir);
    const tpm = new TpmEmulator(state, opts.stateDir, opts.limits);
    if (opts.stateDir) tpm.runtime.persist();
    return tpm;
  }

  /** The TPM whose NV is in `stateDir`; a missing or corrupt file is a TpmStateFileError. */
  static open(stateDir: string, opts: Omit<TpmEmulatorOptions, "stateDir"> = {}): TpmEmulator {
    return new TpmEmulator(loadStateFile(stateDir), stateDir, opts.limits);
  }

  /**
   * A TPM in memory from the bytes of a state file (a factory-made TPM reused by many virtual devices):
   * nothing it does is written back. A corrupt input is a TpmStateFileError.
   */
  static fromStateBytes(bytes: Uint8Array, opts: Omit<TpmEmulatorOptions, "stateDir"> = {}): TpmEmulator {
    let state: PersistentState;
    try {
      state = decodeState(bytes);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = message.startsWith("unsupported format version") ? "TPM_STATE_VERSION" : "TPM_STATE_CORRUPT";
      throw new TpmStateFileError(code, "(in memory)", `corrupt or truncated TPM state: ${message}`);
    }
    return new TpmEmulator(state, undefined, opts.limits);
  }

  /** The bytes of this TPM's persistent state, as the state file holds them. */
  stateBytes(): Uint8Array {
    return encodeState(this.runtime.state);
  }

  /** Runs one command; commands queue so exactly one executes at a time, as on a TPM. */
  execute(command: Uint8Array, opts: { locality?: number } = {}): Promise<Uint8Array> {
    const next = this.queue.then(async () => {
      if (opts.locality !== undefined) this.setLocality(opts.locality);
      const response = this.executeSync(command);
      const delay = this.latencyMs;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      return response;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs one command synchronously. Never throws. */
  executeSync(command: Uint8Array): Uint8Array {
    // ms-tpm-20-ref: a powered-off TPM answers nothing useful; report TPM_RC_FAILURE
    if (!this.powered) return buildErrorResponse(TPM_RC.FAILURE);
    const faults = this.runtime.faults;
    if (faults.length) {
      if (hasFault(faults, "tpm12")) return TPM12_BAD_TAG;
      const failAt = hasFault(faults, "failure-mode")?.command;
      if (failAt !== undefined && ++this.commandsSincePowerOn >= failAt) this.failed = true;
    }
    // Part 1 §12.? failure mode: only GetCapability and GetTestResult still answer
    if (this.failed && !FAILURE_MODE_COMMANDS.has(commandCodeOf(command))) return buildErrorResponse(TPM_RC.FAILURE);
    return dispatch(this.runtime, COMMAND_TABLE, command);
  }

  /** _TPM_Init after power on; idempotent while already powered (the TSS sends it at every start). */
  powerOn(): void {
    if (this.powered) return;
    this.powered = true;
    this.failed = false;
    this.commandsSincePowerOn = 0;
    this.runtime.powerCycle();
  }

  /** Power loss: volatile state goes; a Startup(CLEAR) afterwards is a TPM Reset. */
  powerOff(): void {
    if (!this.powered) return;
    this.runtime.persist();
    this.powered = false;
    this.runtime.started = false;
  }

  /** Power cycle (the platform's reset line). */
  reset(): void {
    this.powerOff();
    this.powerOn();
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Milliseconds the `slow:MS` fault adds before each response of `execute` (0 without the fault). */
  get latencyMs(): number {
    return hasFault(this.runtime.faults, "slow")?.ms ?? 0;
  }

  /** A self-test failure (the simulator's TEST_FAILURE_MODE signal): lasts until the next power cycle. */
  enterFailureMode(): void {
    this.failed = true;
  }

  setLocality(locality: number): void {
    if (!Number.isInteger(locality) || locality < 0 || locality > 4) throw new RangeError(`bad locality ${locality}`);
    this.runtime.locality = locality;
  }

  setPhysicalPresence(on: boolean): void {
    this.runtime.physicalPresence = on;
  }

  /** Writes NV now (process exit, or a manufacturing step done outside commands). */
  save(): void {
    this.runtime.persist();
  }
}
