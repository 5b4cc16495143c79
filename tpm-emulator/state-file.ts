/**
 * The TPM's NV on disk: one versioned CBOR file, written atomically (temp, fsync, rename). A file that is
 * corrupt, truncated or of another format is refused with an error naming it, never half-loaded.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { decodeCbor, encodeCbor, writeFileAtomicSync } from "../lib/index.js";
import { TPMS_NV_PUBLIC, marshal, unmarshal } from "../tpm2/index.js";
import { formatTpmFault, parseTpmFault } from "./faults.js";
import { STATE_FORMAT_VERSION, formatTwoDefaults, type FormatTwoFields, type PersistentState } from "./state.js";

export const STATE_FILE_NAME = "tpm-state.cbor";
const MAGIC = "apsim-tpm-state";

/** A state file that cannot be used; `code` is stable for callers. */
export class TpmStateFileError extends Error {
  readonly code: "TPM_STATE_MISSING" | "TPM_STATE_CORRUPT" | "TPM_STATE_VERSION";
  constructor(code: TpmStateFileError["code"], readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = "TpmStateFileError";
    this.code = code;
  }
}

export function stateFilePath(dir: string): string {
  return path.join(dir, STATE_FILE_NAME);
}

/** Serializes the state; NV publics go as their marshalled bytes so the file uses the TPM's own encoding. */
export function encodeState(state: PersistentState): Uint8Array {
  const nv = state.nv.map((n) => ({ public: marshal(TPMS_NV_PUBLIC, n.public), authValue: n.authValue, data: n.data }));
  return encodeCbor({ magic: MAGIC, version: STATE_FORMAT_VERSION, state: { ...state, nv } });
}

export function saveStateFile(dir: string, state: PersistentState): void {
  writeFileAtomicSync(stateFilePath(dir), encodeState(state), { mode: 0o600 });
}

function bytes(v: unknown, what: string): Buffer {
  if (v instanceof Uint8Array) return Buffer.from(v);
  throw new Error(`${what} is not a byte string`);
}
function num(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new Error(`${what} is not an integer`);
}
function big(v: unknown, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new Error(`${what} is not an integer`);
}
function obj(v: unknown, what: string): Record<string, unknown> {
  if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array)) return v as Record<string, unknown>;
  throw new Error(`${what} is not a map`);
}
function arr(v: unknown, what: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`${what} is not an array`);
}
function str(v: unknown, what: string): string {
  if (typeof v === "string") return v;
  throw new Error(`${what} is not a string`);
}

function hierarchyOf(v: unknown, what: string) {
  const h = obj(v, what);
  return {
    seed: bytes(h.seed, `${what}.seed`),
    proof: bytes(h.proof, `${what}.proof`),
    authValue: bytes(h.authValue, `${what}.authValue`),
    authPolicy: bytes(h.authPolicy, `${what}.authPolicy`),
    authPolicyAlg: num(h.authPolicyAlg, `${what}.authPolicyAlg`),
  };
}

/** Validates a decoded state document field by field. */
export function decodeState(data: Uint8Array): PersistentState {
  const doc = obj(decodeCbor(data), "document");
  if (doc.magic !== MAGIC) throw new Error("not a TPM state file");
  if (doc.version !== STATE_FORMAT_VERSION && doc.version !== 1) throw new Error(`unsupported format version ${String(doc.version)}`);
  const s = obj(doc.state, "state");
  const id = obj(s.identity, "identity");
  const strings = arr(id.vendorStrings, "identity.vendorStrings").map((x, i) => str(x, `vendorStrings[${i}]`));
  if (strings.length !== 4) throw new Error("identity.vendorStrings must have 4 entries");
  const kind = str(id.kind, "identity.kind");
  if (kind !== "discrete" && kind !== "firmware") throw new Error("identity.kind must be discrete or firmware");
  const lockout = obj(s.lockout, "lockout");
  const da = obj(s.da, "da");
  const saved = s.savedState === undefined || s.savedState === null ? undefined : obj(s.savedState, "savedState");
  return {
    formatVersion: STATE_FORMAT_VERSION,
    identity: {
      vendor: str(id.vendor, "identity.vendor"),
      manufacturerId: num(id.manufacturerId, "identity.manufacturerId"),
      vendorStrings: strings as [string, string, string, string],
      vendorTpmType: num(id.vendorTpmType, "identity.vendorTpmType"),
      firmwareVersion1: num(id.firmwareVersion1, "identity.firmwareVersion1"),
      firmwareVersion2: num(id.firmwareVersion2, "identity.firmwareVersion2"),
      specLevel: num(id.specLevel, "identity.specLevel"),
      specRevision: num(id.specRevision, "identity.specRevision"),
      specYear: num(id.specYear, "identity.specYear"),
      specDayOfYear: num(id.specDayOfYear, "identity.specDayOfYear"),
      model: str(id.model, "identity.model"),
      kind,
      provisionedEks: arr(id.provisionedEks, "identity.provisionedEks").map((k, i) => {
        if (k !== "rsa" && k !== "ecc") throw new Error(`identity.provisionedEks[${i}] must be rsa or ecc`);
        return k;
      }),
    },
    endorsement: hierarchyOf(s.endorsement, "endorsement"),
    owner: hierarchyOf(s.owner, "owner"),
    platform: hierarchyOf(s.platform, "platform"),
    lockout: {
      authValue: bytes(lockout.authValue, "lockout.authValue"),
      authPolicy: bytes(lockout.authPolicy, "lockout.authPolicy"),
      authPolicyAlg: num(lockout.authPolicyAlg, "lockout.authPolicyAlg"),
    },
    contextSecret: bytes(s.contextSecret, "contextSecret"),
    shEnable: s.shEnable === true,
    ehEnable: s.ehEnable === true,
    disableClear: s.disableClear === true,
    nv: arr(s.nv, "nv").map((x, i) => {
      const n = obj(x, `nv[${i}]`);
      return {
        public: unmarshal(TPMS_NV_PUBLIC, bytes(n.public, `nv[${i}].public`)),
        authValue: bytes(n.authValue, `nv[${i}].authValue`),
        data: bytes(n.data, `nv[${i}].data`),
      };
    }),
    objects: arr(s.objects, "objects").map((x, i) => {
      const o = obj(x, `objects[${i}]`);
      return {
        handle: num(o.handle, `objects[${i}].handle`),
        hierarchy: num(o.hierarchy, `objects[${i}].hierarchy`),
        primary: o.primary === true,
        qualifiedName: bytes(o.qualifiedName, `objects[${i}].qualifiedName`),
        publicArea: bytes(o.publicArea, `objects[${i}].publicArea`),
        sensitive: bytes(o.sensitive, `objects[${i}].sensitive`),
      };
    }),
    clock: big(s.clock, "clock"),
    resetCount: num(s.resetCount, "resetCount"),
    restartCount: num(s.restartCount, "restartCount"),
    clearCount: num(s.clearCount, "clearCount"),
    da: {
      failedTries: num(da.failedTries, "da.failedTries"),
      maxTries: num(da.maxTries, "da.maxTries"),
      recoveryTime: num(da.recoveryTime, "da.recoveryTime"),
      lockoutRecovery: num(da.lockoutRecovery, "da.lockoutRecovery"),
    },
    savedState: saved && {
      pcrs: Object.fromEntries(
        Object.entries(obj(saved.pcrs, "savedState.pcrs")).map(([alg, bank]) => [
          alg,
          arr(bank, `savedState.pcrs.${alg}`).map((b, i) => bytes(b, `savedState.pcrs.${alg}[${i}]`)),
        ]),
      ),
      pcrUpdateCounter: num(saved.pcrUpdateCounter, "savedState.pcrUpdateCounter"),
      ...(saved.commit === undefined || saved.commit === null ? {} : { commit: commitRecordOf(saved.commit) }),
    },
    orderly: s.orderly === true,
    faults: (s.faults === undefined ? [] : arr(s.faults, "faults")).map((f, i) => formatTpmFault(parseTpmFault(str(f, `faults[${i}]`)))),
    // format 1 had none of these: a migrated TPM gets what a new one has
    ...(doc.version === 1 ? formatTwoDefaults() : formatTwoFields(s)),
    ...(s.derivedRsaKeys === undefined || s.derivedRsaKeys === null
      ? {}
      : {
          derivedRsaKeys: arr(s.derivedRsaKeys, "derivedRsaKeys").map((x, i) => {
            const k = obj(x, `derivedRsaKeys[${i}]`);
            return { id: bytes(k.id, `derivedRsaKeys[${i}].id`), p: bytes(k.p, `derivedRsaKeys[${i}].p`), q: bytes(k.q, `derivedRsaKeys[${i}].q`) };
          }),
        }),
  };
}

function commitRecordOf(v: unknown) {
  const c = obj(v, "savedState.commit");
  return {
    counter: big(c.counter, "savedState.commit.counter"),
    nonce: bytes(c.nonce, "savedState.commit.nonce"),
    array: bytes(c.array, "savedState.commit.array"),
  };
}

function optionalBytes(v: unknown, what: string): Buffer | undefined {
  return v === undefined || v === null ? undefined : bytes(v, what);
}

function formatTwoFields(s: Record<string, unknown>): FormatTwoFields {
  const audit = obj(s.commandAudit, "commandAudit");
  const pending = s.pendingPcrAllocation === undefined || s.pendingPcrAllocation === null ? undefined : arr(s.pendingPcrAllocation, "pendingPcrAllocation");
  return {
    maxNvCounter: big(s.maxNvCounter, "maxNvCounter"),
    lockoutAuthEnabled: s.lockoutAuthEnabled !== false,
    commandAudit: {
      hashAlg: num(audit.hashAlg, "commandAudit.hashAlg"),
      digest: optionalBytes(audit.digest, "commandAudit.digest"),
      counter: big(audit.counter, "commandAudit.counter"),
      commands: arr(audit.commands, "commandAudit.commands").map((c, i) => num(c, `commandAudit.commands[${i}]`)),
    },
    pcrBanks: arr(s.pcrBanks, "pcrBanks").map((b, i) => num(b, `pcrBanks[${i}]`)),
    pendingPcrAllocation: pending?.map((x, i) => {
      const sel = obj(x, `pendingPcrAllocation[${i}]`);
      return { hash: num(sel.hash, `pendingPcrAllocation[${i}].hash`), pcrSelect: bytes(sel.pcrSelect, `pendingPcrAllocation[${i}].pcrSelect`) };
    }),
    ppCommands: arr(s.ppCommands, "ppCommands").map((c, i) => num(c, `ppCommands[${i}]`)),
  };
}

/** Loads a state directory's file; any problem is a TpmStateFileError naming the file. */
export function loadStateFile(dir: string): PersistentState {
  const file = stateFilePath(dir);
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new TpmStateFileError("TPM_STATE_MISSING", file, "no TPM state here (run `apsim tpm manufacture` first)");
    throw e;
  }
  try {
    return decodeState(data);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = msg.startsWith("unsupported format version") ? "TPM_STATE_VERSION" : "TPM_STATE_CORRUPT";
    throw new TpmStateFileError(code, file, `corrupt or truncated TPM state: ${msg}`);
  }
}
