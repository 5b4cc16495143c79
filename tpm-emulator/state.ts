/**
 * What a TPM keeps, split the way a real TPM splits it: persistent state (NV: seeds, proofs, hierarchy auth,
 * NV indices, persistent objects, counters) and the PCR/clock state an orderly Shutdown(STATE) preserves.
 */
import { TPM_ALG, TPM_CC, type TPMS_NV_PUBLIC } from "../tpm2/index.js";
import type { CommitRecord } from "./ecc-commit.js";

export const STATE_FORMAT_VERSION = 2;

/** Fixed identity a vendor burns into the TPM (GetCapability TPM_PT_* fixed properties). */
export interface TpmIdentity {
  vendor: string;
  manufacturerId: number;
  vendorStrings: [string, string, string, string];
  vendorTpmType: number;
  firmwareVersion1: number;
  firmwareVersion2: number;
  specLevel: number;
  specRevision: number;
  specYear: number;
  specDayOfYear: number;
  model: string;
  /** Discrete TPMs carry their EK certificates in NV; firmware TPMs get them from the vendor's service. */
  kind: "discrete" | "firmware";
  /** EK kinds the factory provisioned (and certified, for discrete TPMs). */
  provisionedEks: ("rsa" | "ecc")[];
}

export interface NvIndexRecord {
  public: TPMS_NV_PUBLIC;
  authValue: Uint8Array;
  data: Uint8Array;
}

export interface PersistentObjectRecord {
  handle: number;
  hierarchy: number;
  primary: boolean;
  /** Kept because a child's qualified name depends on parents that may be gone (Part 1 §16). */
  qualifiedName: Uint8Array;
  publicArea: Uint8Array;
  sensitive: Uint8Array;
}

export interface HierarchyRecord {
  seed: Uint8Array;
  proof: Uint8Array;
  authValue: Uint8Array;
  authPolicy: Uint8Array;
  authPolicyAlg: number;
}

/** Everything that survives power loss. Written before a command that changes it returns. */
export interface PersistentState {
  formatVersion: number;
  identity: TpmIdentity;
  endorsement: HierarchyRecord;
  owner: HierarchyRecord;
  platform: HierarchyRecord;
  lockout: { authValue: Uint8Array; authPolicy: Uint8Array; authPolicyAlg: number };
  /** Key for context blob protection (Part 1 §30.3): stays across resets, so saved objects survive them. */
  contextSecret: Uint8Array;
  shEnable: boolean;
  ehEnable: boolean;
  disableClear: boolean;
  nv: NvIndexRecord[];
  objects: PersistentObjectRecord[];
  clock: bigint;
  resetCount: number;
  restartCount: number;
  clearCount: number;
  da: { failedTries: number; maxTries: number; recoveryTime: number; lockoutRecovery: number };
  /** Set by Shutdown(STATE): the PCR banks and counters TPM2_Startup(STATE) restores (Part 1 §36). */
  savedState: SavedState | undefined;
  /** True after an orderly shutdown; a Startup after a disorderly one bumps resetCount. */
  orderly: boolean;
  /** Fault switches set at manufacture (faults.ts grammar, canonical text). */
  faults: string[];
  /** Highest count of a counter index that was deleted: a new counter starts there (the reference's maxCounter). */
  maxNvCounter: bigint;
  /** False after a lockoutAuth failure, until lockoutRecovery passes (or, with lockoutRecovery 0, a TPM Reset). */
  lockoutAuthEnabled: boolean;
  commandAudit: CommandAuditRecord;
  /** The allocated PCR banks (hash algorithms, ascending). */
  pcrBanks: number[];
  /** A TPM2_PCR_Allocate waiting for the next Startup(CLEAR) (Part 3 §22.5). */
  pendingPcrAllocation: PcrSelectionRecord[] | undefined;
  /** Commands that need physical presence when authorized by the platform (TPM2_PP_Commands, Part 3 §26.2). */
  ppCommands: number[];
  /**
   * A cache, not TPM state proper: the primes of RSA primary keys derived from a persistent hierarchy's seed,
   * so that a TPM reloaded from its file (a factory-made TPM reused by many devices) never repeats a prime
   * search. Bounded; the oldest entry goes first.
   */
  derivedRsaKeys?: DerivedRsaKeyRecord[];
}

/** The primes of one derived RSA primary key; `id` digests (kind, hierarchy seed, template digest). */
export interface DerivedRsaKeyRecord {
  id: Buffer;
  p: Buffer;
  q: Buffer;
}

/** Command audit (Part 1 §19.6.? command audit; the reference's gp.auditHashAlg, gp.auditCounter, gr.commandAuditDigest). */
export interface CommandAuditRecord {
  hashAlg: number;
  /** Undefined while empty: the next audited command starts a new digest and counts. */
  digest: Uint8Array | undefined;
  counter: bigint;
  /** Audited command codes, ascending. */
  commands: number[];
}

export interface PcrSelectionRecord {
  hash: number;
  pcrSelect: Uint8Array;
}

/** The fields format 2 added, as a new TPM (and a migrated format-1 file) has them. */
export function formatTwoDefaults(): FormatTwoFields {
  return {
    maxNvCounter: 0n,
    lockoutAuthEnabled: true,
    commandAudit: { hashAlg: TPM_ALG.SHA256, digest: undefined, counter: 0n, commands: [TPM_CC.SetCommandCodeAuditStatus] },
    pcrBanks: [TPM_ALG.SHA1, TPM_ALG.SHA256],
    pendingPcrAllocation: undefined,
    ppCommands: [TPM_CC.PP_Commands],
  };
}

export type FormatTwoFields = Pick<
  PersistentState,
  "maxNvCounter" | "lockoutAuthEnabled" | "commandAudit" | "pcrBanks" | "pendingPcrAllocation" | "ppCommands"
>;

export interface SavedState {
  pcrs: Record<string, Uint8Array[]>;
  pcrUpdateCounter: number;
  /** The commit state a TPM Restart or Resume keeps (absent in files written before it was saved). */
  commit?: CommitRecord;
}
