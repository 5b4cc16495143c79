/**
 * Saved contexts (Part 1 §30, Part 3 §28): the contextBlob of a TPMS_CONTEXT is
 * integrity (TPM2B_DIGEST) || AES-256-CFB(sequence || payload). Keys come from the TPM's context secret and the
 * proof of the context's hierarchy, so a context dies with its hierarchy's proof; sessions are in the null
 * hierarchy, whose proof changes on every TPM Reset. stClear objects also bind the reset and restart counts
 * (Part 1 §30.3). The payload is this TPM's own format: a loaded object, or a session.
 */
import { timingSafeEqual } from "node:crypto";
import { decodeCbor, encodeCbor } from "../lib/index.js";
import {
  Reader,
  TPM2B_DIGEST,
  TPM2B_NAME,
  TPM2B_PUBLIC,
  TPM2B_SENSITIVE,
  TPMI_YES_NO,
  TPM_ALG,
  TPM_RC,
  TpmError,
  UINT32,
  aesCfbDecrypt,
  aesCfbEncrypt,
  hmac,
  kdfa,
  marshal,
  struct,
  unmarshal,
  type TPMS_CONTEXT,
} from "../tpm2/index.js";
import { hierarchyProof } from "./object-create.js";
import { makeObject, type TpmObject } from "./objects.js";
import type { Session } from "./sessions.js";
import type { Tpm } from "./tpm.js";

/** TPM_PT_CONTEXT_HASH: the hash of context integrity (SHA-512, as libtpms reports). */
export const CONTEXT_HASH = TPM_ALG.SHA512;
/** TPM_PT_CONTEXT_SYM: the cipher of context blobs (AES, in CFB mode). */
export const CONTEXT_SYM = TPM_ALG.AES;
/** TPM_PT_CONTEXT_SYM_SIZE: its key size in bits. */
export const CONTEXT_SYM_BITS = 256;

/** Part 3 §28.2: the savedHandle of an ordinary object's context. */
export const SAVED_OBJECT = 0x80000000;
/** Part 3 §28.2: the savedHandle of a sequence object's context. */
export const SAVED_SEQUENCE = 0x80000001;
/** Part 3 §28.2: the savedHandle of an stClear object's context, which no TPM Reset or Restart survives. */
export const SAVED_STCLEAR_OBJECT = 0x80000002;

const INTEGRITY_SIZE = 64;
const SEQUENCE_SIZE = 8;
const IV_SIZE = 16;
const EMPTY = Buffer.alloc(0);

/** The outer fields of a TPMS_CONTEXT, which the integrity value covers. */
export interface ContextHeader {
  sequence: bigint;
  savedHandle: number;
  hierarchy: number;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, v));
  return b;
}

function cipherKeys(tpm: Tpm, header: ContextHeader): { key: Buffer; iv: Buffer } {
  const proof = hierarchyProof(tpm, header.hierarchy);
  const context = Buffer.concat([u64(header.sequence), u32(header.savedHandle)]);
  const material = kdfa(CONTEXT_HASH, tpm.state.contextSecret, "CONTEXT", proof, context, CONTEXT_SYM_BITS + IV_SIZE * 8);
  return { key: material.subarray(0, CONTEXT_SYM_BITS / 8), iv: material.subarray(CONTEXT_SYM_BITS / 8) };
}

/** Integrity keys per hierarchy proof (a proof is replaced, never changed in place, when a hierarchy is cleared). */
const integrityKeys = new WeakMap<Uint8Array, { secret: Uint8Array; key: Buffer }>();

function integrityKey(tpm: Tpm, proof: Uint8Array): Buffer {
  const secret = tpm.state.contextSecret;
  const known = integrityKeys.get(proof);
  if (known?.secret === secret) return known.key;
  const key = kdfa(CONTEXT_HASH, secret, "CONTEXT INTEGRITY", proof, EMPTY, INTEGRITY_SIZE * 8);
  integrityKeys.set(proof, { secret, key });
  return key;
}

function integrityOf(tpm: Tpm, header: ContextHeader, encrypted: Uint8Array): Buffer {
  const key = integrityKey(tpm, hierarchyProof(tpm, header.hierarchy));
  // an stClear object may not come back after TPM Reset or TPM Restart
  const boot =
    header.savedHandle === SAVED_STCLEAR_OBJECT
      ? Buffer.concat([u32(tpm.state.resetCount), u32(tpm.state.restartCount)])
      : EMPTY;
  return hmac(CONTEXT_HASH, key, boot, u64(header.sequence), u32(header.savedHandle), u32(header.hierarchy), encrypted);
}

/** Builds the TPMS_CONTEXT of `payload` (ContextSave). */
export function sealContext(tpm: Tpm, header: ContextHeader, payload: Uint8Array): TPMS_CONTEXT {
  const { key, iv } = cipherKeys(tpm, header);
  const encrypted = aesCfbEncrypt(key, iv, Buffer.concat([u64(header.sequence), payload]));
  const integrity = integrityOf(tpm, header, encrypted);
  return { ...header, contextBlob: Buffer.concat([marshal(TPM2B_DIGEST, integrity), encrypted]) };
}

/**
 * Checks and decrypts a contextBlob (ContextLoad), returning the payload. Response codes are those of
 * TPM2_ContextLoad, whose only parameter is the context.
 * @throws TpmError TPM_RC_INSUFFICIENT / TPM_RC_SIZE (no integrity value, as the reference: no parameter number),
 *   TPM_RC_SIZE + parameter 1 (integrity or blob too short), TPM_RC_INTEGRITY + parameter 1 (tampered, other TPM,
 *   changed hierarchy proof, or an stClear object after TPM Reset/Restart)
 */
export function openContext(tpm: Tpm, context: TPMS_CONTEXT): Buffer {
  const r = new Reader(context.contextBlob);
  const integrity = TPM2B_DIGEST.read(r);
  const encrypted = context.contextBlob.subarray(r.offset);
  if (integrity.length !== INTEGRITY_SIZE || encrypted.length < SEQUENCE_SIZE) {
    throw new TpmError(TPM_RC.SIZE).at("parameter", 1);
  }
  const expected = integrityOf(tpm, context, encrypted);
  if (!timingSafeEqual(integrity, expected)) throw new TpmError(TPM_RC.INTEGRITY).at("parameter", 1);
  const { key, iv } = cipherKeys(tpm, context);
  const plain = aesCfbDecrypt(key, iv, encrypted);
  // the fingerprint can only differ if the TPM itself is broken (ms-tpm-20-ref goes to failure mode)
  if (!plain.subarray(0, SEQUENCE_SIZE).equals(u64(context.sequence))) throw new TpmError(TPM_RC.FAILURE);
  return plain.subarray(SEQUENCE_SIZE);
}

const OBJECT_CONTEXT = struct("OBJECT_CONTEXT", {
  publicArea: TPM2B_PUBLIC,
  sensitive: TPM2B_SENSITIVE,
  qualifiedName: TPM2B_NAME,
  hierarchy: UINT32,
  primary: TPMI_YES_NO,
});

/** The payload of an object context: public and sensitive areas, qualified name, hierarchy. */
export function encodeObjectContext(object: TpmObject): Buffer {
  return marshal(OBJECT_CONTEXT, {
    publicArea: object.publicArea,
    sensitive: object.sensitive,
    qualifiedName: object.qualifiedName,
    hierarchy: object.hierarchy,
    primary: object.primary,
  });
}

/** The object of a payload made by {@link encodeObjectContext}. @throws TpmError TPM_RC_FAILURE if malformed. */
export function decodeObjectContext(payload: Uint8Array): TpmObject {
  let saved;
  try {
    saved = unmarshal(OBJECT_CONTEXT, payload);
  } catch {
    throw new TpmError(TPM_RC.FAILURE);
  }
  const object = makeObject(saved.publicArea, saved.sensitive, saved.hierarchy, EMPTY, saved.primary);
  object.qualifiedName = Buffer.from(saved.qualifiedName);
  return object;
}

/** The payload of a session context: every field of the session. */
export function encodeSessionContext(session: Session): Buffer {
  return Buffer.from(encodeCbor(session));
}

/** The session of a payload made by {@link encodeSessionContext}. @throws TpmError TPM_RC_FAILURE if malformed. */
export function decodeSessionContext(payload: Uint8Array): Session {
  let value: unknown;
  try {
    value = decodeCbor(payload);
  } catch {
    throw new TpmError(TPM_RC.FAILURE);
  }
  if (typeof value !== "object" || value === null) throw new TpmError(TPM_RC.FAILURE);
  return value as Session;
}

/** Saved object contexts get their own sequence numbers, so they never widen the session context gap. */
const objectSequences = new WeakMap<Tpm, { next: bigint }>();

/** The next sequence number for an object context (ms-tpm-20-ref objectContextID). */
export function nextObjectSequence(tpm: Tpm): bigint {
  let counter = objectSequences.get(tpm);
  if (!counter) {
    counter = { next: 1n };
    objectSequences.set(tpm, counter);
  }
  return counter.next++;
}
