/**
 * The tables behind TPM2_GetCapability (Part 2 §6.12–§6.13, §8.2, §8.9; Part 3 §30.2): the implemented
 * algorithms with their TPMA_ALGORITHM, the command attributes (TPMA_CC), and the TPM_PT properties, fixed
 * (vendor identity from the TPM's state) and variable (live counts). Values follow the reference implementation
 * where the specification leaves them to the TPM.
 */
import {
  ECC_CURVES,
  TPM_ALG,
  TPM_CC,
  TPM_LIMITS,
  TPM_NT,
  TPM_PT,
  TPM_SPEC,
  TPMA_ALGORITHM,
  TPMA_CC,
  TPMA_NV,
  TPMA_PERMANENT,
  TPMA_STARTUP_CLEAR,
  type CommandDef,
} from "../tpm2/index.js";
import { CONTEXT_HASH, CONTEXT_SYM, CONTEXT_SYM_BITS } from "./context-blob.js";
import { PCR_COUNT, type Tpm } from "./tpm.js";

const A = TPM_ALG;
const { asymmetric, symmetric, hash, object, signing, encrypting, method } = TPMA_ALGORITHM;

/** Part 2 §8.2: every algorithm this TPM implements with its TPMA_ALGORITHM, in ascending TPM_ALG_ID order. */
export const IMPLEMENTED_ALGORITHMS: readonly { alg: number; algProperties: number }[] = [
  { alg: A.RSA, algProperties: asymmetric | object },
  { alg: A.SHA1, algProperties: hash },
  { alg: A.HMAC, algProperties: hash | signing },
  { alg: A.AES, algProperties: symmetric },
  { alg: A.MGF1, algProperties: hash | method },
  { alg: A.KEYEDHASH, algProperties: hash | object | signing | encrypting },
  { alg: A.XOR, algProperties: symmetric | hash },
  { alg: A.SHA256, algProperties: hash },
  { alg: A.SHA384, algProperties: hash },
  { alg: A.SHA512, algProperties: hash },
  { alg: A.RSASSA, algProperties: asymmetric | signing },
  { alg: A.RSAES, algProperties: asymmetric | encrypting },
  { alg: A.RSAPSS, algProperties: asymmetric | signing },
  { alg: A.OAEP, algProperties: asymmetric | encrypting },
  { alg: A.ECDSA, algProperties: asymmetric | signing },
  { alg: A.ECDH, algProperties: asymmetric | method },
  { alg: A.ECDAA, algProperties: asymmetric | signing },
  { alg: A.KDF1_SP800_56A, algProperties: hash | method },
  { alg: A.KDF2, algProperties: hash | method },
  { alg: A.KDF1_SP800_108, algProperties: hash | method },
  { alg: A.ECC, algProperties: asymmetric | object },
  { alg: A.SYMCIPHER, algProperties: object },
  { alg: A.CTR, algProperties: symmetric | encrypting },
  { alg: A.OFB, algProperties: symmetric | encrypting },
  { alg: A.CBC, algProperties: symmetric | encrypting },
  { alg: A.CFB, algProperties: symmetric | encrypting },
  { alg: A.ECB, algProperties: symmetric | encrypting },
];

/** The ECC curves this TPM implements, ascending (TPM_CAP_ECC_CURVES). */
export const IMPLEMENTED_CURVES: readonly number[] = [...ECC_CURVES].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------------------------
// TPMA_CC (Part 2 §8.9; the "NV" and "Extensive" columns of the Part 3 command tables)

/** Commands that may write NV (TPMA_CC.nv). */
const NV_COMMANDS: ReadonlySet<number> = new Set(
  (
    [
      "NV_UndefineSpaceSpecial", "EvictControl", "HierarchyControl", "NV_UndefineSpace", "ChangeEPS", "ChangePPS",
      "Clear", "ClearControl", "ClockSet", "HierarchyChangeAuth", "NV_DefineSpace", "PCR_Allocate",
      "PCR_SetAuthPolicy", "PP_Commands", "SetPrimaryPolicy", "NV_GlobalWriteLock", "GetCommandAuditDigest",
      "NV_Increment", "NV_SetBits", "NV_Extend", "NV_Write", "NV_WriteLock", "DictionaryAttackLockReset",
      "DictionaryAttackParameters", "NV_ChangeAuth", "PCR_Event", "PCR_Reset", "SetAlgorithmSet",
      "SetCommandCodeAuditStatus", "FieldUpgradeData", "IncrementalSelfTest", "SelfTest", "Startup", "Shutdown",
      "StirRandom", "NV_ReadLock", "PCR_Extend", "EventSequenceComplete",
    ] as const
  ).map((name) => TPM_CC[name]),
);

/** Commands that may flush many objects (TPMA_CC.extensive). */
const EXTENSIVE_COMMANDS: ReadonlySet<number> = new Set([
  TPM_CC.HierarchyControl,
  TPM_CC.ChangeEPS,
  TPM_CC.ChangePPS,
  TPM_CC.Clear,
]);

/** Commands that flush the transient object of their handle area (TPMA_CC.flushed). */
const FLUSHED_COMMANDS: ReadonlySet<number> = new Set([TPM_CC.SequenceComplete, TPM_CC.EventSequenceComplete]);

/** The TPMA_CC of an implemented library command: its code, the nv/extensive/flushed bits, cHandles and rHandle. */
export function commandAttributes(def: CommandDef): number {
  let attributes = def.code & TPMA_CC.commandIndexMask;
  if (NV_COMMANDS.has(def.code)) attributes |= TPMA_CC.nv;
  if (EXTENSIVE_COMMANDS.has(def.code)) attributes |= TPMA_CC.extensive;
  if (FLUSHED_COMMANDS.has(def.code)) attributes |= TPMA_CC.flushed;
  attributes |= def.handles.length << TPMA_CC.cHandlesShift;
  if (def.responseHandle !== undefined) attributes |= TPMA_CC.rHandle;
  return attributes >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// TPM_PT properties (Part 2 §6.13)

/** Largest NV index data area (TPM_PT_NV_INDEX_MAX). */
export const MAX_NV_INDEX_SIZE = 2048;
/** Largest TPMS_CONTEXT this TPM returns: sequence, savedHandle, hierarchy and the context blob. */
const MAX_CONTEXT = 8 + 4 + 4 + 2 + TPM_LIMITS.MAX_CONTEXT_SIZE;
/** TPMA_MEMORY (Part 2 §8.8): sharedNV | objectCopiedToRam. */
const TPMA_MEMORY = (1 << 1) | (1 << 2);
/** Part 2 §6.14 TPM_PS_PC_CLIENT: the platform-specific specification these TPMs follow. */
const TPM_PS_PC_CLIENT = 0x00000001;
const PC_CLIENT_SPEC_REVISION = 0x100;
/** Seconds between updates of the NV copy of Clock (TPM_PT_CLOCK_UPDATE, a power of two). */
const CLOCK_UPDATE_INTERVAL = 1 << 12;
const MAX_ORDERLY_COUNT = 0xff;
const CONTEXT_GAP_MAX = 0xffff;
/** Properties are grouped in pages of 256: PT_FIXED (0x100) and PT_VAR (0x200). */
export const PT_GROUP = 0x100;

/** Four characters of a vendor string as the big-endian UINT32 TPM_PT_VENDOR_STRING_n carries. */
function vendorString(text: string): number {
  return Buffer.from(text.padEnd(4, "\0").slice(0, 4), "latin1").readUInt32BE(0);
}

function fixedProperty(tpm: Tpm, pt: number, commandCount: number): number | undefined {
  const id = tpm.state.identity;
  const P = TPM_PT;
  switch (pt) {
    case P.FAMILY_INDICATOR:
      return TPM_SPEC.FAMILY;
    case P.LEVEL:
      return id.specLevel;
    case P.REVISION:
      return id.specRevision;
    case P.DAY_OF_YEAR:
      return id.specDayOfYear;
    case P.YEAR:
      return id.specYear;
    case P.MANUFACTURER:
      return id.manufacturerId;
    case P.VENDOR_STRING_1:
    case P.VENDOR_STRING_2:
    case P.VENDOR_STRING_3:
    case P.VENDOR_STRING_4:
      return vendorString(id.vendorStrings[pt - P.VENDOR_STRING_1] ?? "");
    case P.VENDOR_TPM_TYPE:
      return id.vendorTpmType;
    case P.FIRMWARE_VERSION_1:
      return id.firmwareVersion1;
    case P.FIRMWARE_VERSION_2:
      return id.firmwareVersion2;
    case P.INPUT_BUFFER:
      return TPM_LIMITS.MAX_BUFFER;
    case P.HR_TRANSIENT_MIN:
      return tpm.limits.objectSlots;
    case P.HR_PERSISTENT_MIN:
      return tpm.limits.persistentObjects;
    case P.HR_LOADED_MIN:
    case P.ACTIVE_SESSIONS_MAX:
      return tpm.limits.sessionSlots;
    case P.PCR_COUNT:
      return PCR_COUNT;
    case P.PCR_SELECT_MIN:
      return Math.ceil(PCR_COUNT / 8);
    case P.CONTEXT_GAP_MAX:
      return CONTEXT_GAP_MAX;
    case P.NV_COUNTERS_MAX:
      return 0;
    case P.NV_INDEX_MAX:
      return MAX_NV_INDEX_SIZE;
    case P.MEMORY:
      return TPMA_MEMORY;
    case P.CLOCK_UPDATE:
      return CLOCK_UPDATE_INTERVAL;
    case P.CONTEXT_HASH:
      return CONTEXT_HASH;
    case P.CONTEXT_SYM:
      return CONTEXT_SYM;
    case P.CONTEXT_SYM_SIZE:
      return CONTEXT_SYM_BITS;
    case P.ORDERLY_COUNT:
      return MAX_ORDERLY_COUNT;
    case P.MAX_COMMAND_SIZE:
      return TPM_LIMITS.MAX_COMMAND_SIZE;
    case P.MAX_RESPONSE_SIZE:
      return TPM_LIMITS.MAX_RESPONSE_SIZE;
    case P.MAX_DIGEST:
      return TPM_LIMITS.MAX_DIGEST;
    case P.MAX_OBJECT_CONTEXT:
    case P.MAX_SESSION_CONTEXT:
      return MAX_CONTEXT;
    case P.PS_FAMILY_INDICATOR:
      return TPM_PS_PC_CLIENT;
    case P.PS_LEVEL:
      return 0;
    case P.PS_REVISION:
      return PC_CLIENT_SPEC_REVISION;
    case P.PS_DAY_OF_YEAR:
    case P.PS_YEAR:
      return 0;
    case P.SPLIT_MAX:
      return 0;
    case P.TOTAL_COMMANDS:
    case P.LIBRARY_COMMANDS:
      return commandCount;
    case P.VENDOR_COMMANDS:
      return 0;
    case P.NV_BUFFER_MAX:
      return TPM_LIMITS.MAX_NV_BUFFER;
    case P.MODES:
      return 0;
    case P.MAX_CAP_BUFFER:
      return TPM_LIMITS.MAX_CAP_BUFFER;
    default:
      return undefined;
  }
}

function permanentFlags(tpm: Tpm): number {
  const s = tpm.state;
  let flags = TPMA_PERMANENT.tpmGeneratedEPS;
  if (s.owner.authValue.length) flags |= TPMA_PERMANENT.ownerAuthSet;
  if (s.endorsement.authValue.length) flags |= TPMA_PERMANENT.endorsementAuthSet;
  if (s.lockout.authValue.length) flags |= TPMA_PERMANENT.lockoutAuthSet;
  if (s.disableClear) flags |= TPMA_PERMANENT.disableClear;
  if (s.da.failedTries >= s.da.maxTries) flags |= TPMA_PERMANENT.inLockout;
  return flags;
}

function startupClearFlags(tpm: Tpm): number {
  let flags = 0;
  if (tpm.phEnable) flags |= TPMA_STARTUP_CLEAR.phEnable;
  if (tpm.state.shEnable) flags |= TPMA_STARTUP_CLEAR.shEnable;
  if (tpm.state.ehEnable) flags |= TPMA_STARTUP_CLEAR.ehEnable;
  if (tpm.phEnableNV) flags |= TPMA_STARTUP_CLEAR.phEnableNV;
  return flags >>> 0;
}

function isCounterIndex(attributes: number): boolean {
  return (attributes & TPMA_NV.TPM_NT_MASK) >>> TPMA_NV.TPM_NT_SHIFT === TPM_NT.COUNTER;
}

function variableProperty(tpm: Tpm, pt: number): number | undefined {
  const P = TPM_PT;
  const s = tpm.state;
  const sessions = tpm.sessions;
  switch (pt) {
    case P.PERMANENT:
      return permanentFlags(tpm);
    case P.STARTUP_CLEAR:
      return startupClearFlags(tpm);
    case P.HR_NV_INDEX:
      return s.nv.length;
    case P.HR_LOADED:
      return sessions.handles((slot) => slot.savedSequence === undefined).length;
    case P.HR_LOADED_AVAIL:
    case P.HR_ACTIVE_AVAIL:
      return sessions.capacity - sessions.used;
    case P.HR_ACTIVE:
      return sessions.used;
    case P.HR_TRANSIENT_AVAIL:
      return tpm.objects.free;
    case P.HR_PERSISTENT:
      return s.objects.length;
    case P.HR_PERSISTENT_AVAIL:
      return Math.max(0, tpm.limits.persistentObjects - s.objects.length);
    case P.NV_COUNTERS:
      return s.nv.filter((n) => isCounterIndex(n.public.attributes)).length;
    case P.NV_COUNTERS_AVAIL:
      return Math.max(0, tpm.limits.nvIndices - s.nv.length);
    case P.ALGORITHM_SET:
      return 0;
    case P.LOADED_CURVES:
      return IMPLEMENTED_CURVES.length;
    case P.LOCKOUT_COUNTER:
      return s.da.failedTries;
    case P.MAX_AUTH_FAIL:
      return s.da.maxTries;
    case P.LOCKOUT_INTERVAL:
      return s.da.recoveryTime;
    case P.LOCKOUT_RECOVERY:
      return s.da.lockoutRecovery;
    case P.AUDIT_COUNTER_0:
      return Number(s.commandAudit.counter >> 32n);
    case P.AUDIT_COUNTER_1:
      return Number(s.commandAudit.counter & 0xffffffffn);
    case P.NV_WRITE_RECOVERY:
      return 0;
    default:
      return undefined;
  }
}

/**
 * The value of TPM property `pt`, or undefined when this TPM does not define it.
 * @param commandCount the number of implemented commands (TPM_PT_TOTAL_COMMANDS).
 */
export function tpmProperty(tpm: Tpm, pt: number, commandCount: number): number | undefined {
  if (pt >= TPM_PT.PT_FIXED && pt < TPM_PT.PT_FIXED + PT_GROUP) return fixedProperty(tpm, pt, commandCount);
  if (pt >= TPM_PT.PT_VAR && pt < TPM_PT.PT_VAR + PT_GROUP) return variableProperty(tpm, pt);
  return undefined;
}
