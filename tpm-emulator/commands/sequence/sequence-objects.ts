/**
 * Sequence objects (Part 1 §32, ms-tpm-20-ref HASH_OBJECT): hash, HMAC and event sequences occupy ordinary object
 * slots. The running digest state lives here, keyed by a random identifier the object carries in its (never
 * exported) sensitive seedValue, so that a sequence saved with TPM2_ContextSave, flushed and loaded back — what a
 * resource manager does between commands — continues where it stopped.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import {
  HASH_ALGS,
  TPMA_OBJECT,
  TPM_ALG,
  TPM_GENERATED_VALUE,
  TPM_RH,
  hashInfo,
  type TPMT_PUBLIC,
} from "../../../tpm2/index.js";
import { makeObject, type TpmObject } from "../../objects.js";
import type { Tpm } from "../../tpm.js";

/** A hash sequence (TPM2_HashSequenceStart with a hash), with the ticket rule of Part 3 §17.5. */
export interface HashSequence {
  kind: "hash";
  hashAlg: number;
  hash: Hash;
  /** Whether TPM2_SequenceUpdate has seen the first block; that block decides whether a ticket is safe. */
  firstBlock: boolean;
  ticketSafe: boolean;
}

/** An HMAC sequence (TPM2_HMAC_Start). */
export interface HmacSequence {
  kind: "hmac";
  hashAlg: number;
  hmac: Hmac;
}

/** An event sequence (TPM2_HashSequenceStart with TPM_ALG_NULL): one digest per implemented hash. */
export interface EventSequence {
  kind: "event";
  hashes: { hashAlg: number; hash: Hash }[];
}

export type Sequence = HashSequence | HmacSequence | EventSequence;

const ID_SIZE = 32;
/** Sequences that were flushed without completing are forgotten oldest first beyond this many. */
const MAX_SEQUENCES = 256;
const EMPTY = Buffer.alloc(0);

const registries = new WeakMap<Tpm, Map<string, Sequence>>();

function registry(tpm: Tpm): Map<string, Sequence> {
  let map = registries.get(tpm);
  if (!map) {
    map = new Map();
    registries.set(tpm, map);
  }
  return map;
}

/** AllocateSequenceSlot: no type, no nameAlg, DA-exempt, authorized by its authValue, in the null hierarchy. */
const SEQUENCE_PUBLIC: TPMT_PUBLIC = {
  type: TPM_ALG.KEYEDHASH,
  nameAlg: TPM_ALG.NULL,
  objectAttributes: TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA,
  authPolicy: EMPTY,
  parameters: { scheme: { scheme: TPM_ALG.NULL, details: undefined } },
  unique: EMPTY,
};

function idOf(object: TpmObject): string | undefined {
  const pub = object.publicArea;
  const seed = object.sensitive?.seedValue;
  if (pub.type !== TPM_ALG.KEYEDHASH || pub.nameAlg !== TPM_ALG.NULL || seed?.length !== ID_SIZE) return undefined;
  return Buffer.from(seed).toString("hex");
}

/**
 * Loads a new sequence object with authValue `auth` and returns its handle.
 * @throws TpmError TPM_RC_OBJECT_MEMORY when every object slot is taken.
 */
export function startSequence(tpm: Tpm, auth: Uint8Array, sequence: Sequence): number {
  const id = tpm.random(ID_SIZE);
  const sensitive = { sensitiveType: TPM_ALG.KEYEDHASH, authValue: Buffer.from(auth), seedValue: id, sensitive: EMPTY };
  const object = makeObject(SEQUENCE_PUBLIC, sensitive, TPM_RH.NULL, EMPTY);
  // AllocateSequenceSlot: "the name is the Empty Buffer" (HMAC sessions put it in cpHash)
  object.name = EMPTY;
  object.qualifiedName = EMPTY;
  const handle = tpm.objects.add(object);
  const map = registry(tpm);
  map.set(id.toString("hex"), sequence);
  if (map.size > MAX_SEQUENCES) map.delete(map.keys().next().value!);
  return handle;
}

/** The sequence state of `object`, or undefined when it is not a sequence object (ObjectIsSequence). */
export function sequenceOf(tpm: Tpm, object: TpmObject): Sequence | undefined {
  const id = idOf(object);
  return id === undefined ? undefined : registries.get(tpm)?.get(id);
}

/** Ends a sequence: its state is dropped and its object slot freed (the reference's `evict` attribute). */
export function endSequence(tpm: Tpm, handle: number, object: TpmObject): void {
  const id = idOf(object);
  if (id !== undefined) registries.get(tpm)?.delete(id);
  tpm.objects.remove(handle);
}

/** A new hash sequence state. */
export function hashSequence(hashAlg: number): HashSequence {
  return { kind: "hash", hashAlg, hash: createHash(hashInfo(hashAlg).nodeName), firstBlock: false, ticketSafe: false };
}

/** A new HMAC sequence state keyed with `key`. */
export function hmacSequence(hashAlg: number, key: Uint8Array): HmacSequence {
  return { kind: "hmac", hashAlg, hmac: createHmac(hashInfo(hashAlg).nodeName, key) };
}

/** A new event sequence state over every implemented hash. */
export function eventSequence(): EventSequence {
  return { kind: "event", hashes: HASH_ALGS.map((hashAlg) => ({ hashAlg, hash: createHash(hashInfo(hashAlg).nodeName) })) };
}

/**
 * TicketIsSafe (Part 2 §10.7.6): data of at least 4 octets that does not start with TPM_GENERATED_VALUE, so its
 * digest cannot be that of a forged TPMS_ATTEST.
 */
export function isTicketSafe(data: Uint8Array): boolean {
  if (data.length < 4) return false;
  return Buffer.from(data.buffer, data.byteOffset, 4).readUInt32BE(0) !== TPM_GENERATED_VALUE;
}
