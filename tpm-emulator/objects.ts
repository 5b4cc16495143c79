/**
 * Loaded objects (Part 1 §28): the public area, its Name, the sensitive area, and the key objects derived from
 * them, in a bounded set of transient slots like a real TPM's object memory.
 */
import type { KeyObject } from "node:crypto";
import {
  TPM_HC,
  TPM_RC,
  TPMT_PUBLIC,
  TpmError,
  hashDigest,
  marshal,
  type TPMT_SENSITIVE,
} from "../tpm2/index.js";

export interface TpmObject {
  publicArea: TPMT_PUBLIC;
  /** The marshalled TPMT_PUBLIC: what the Name is computed over. */
  publicBytes: Buffer;
  name: Buffer;
  qualifiedName: Buffer;
  /** Absent for a public-only object loaded with LoadExternal. */
  sensitive: TPMT_SENSITIVE | undefined;
  hierarchy: number;
  /** Primary objects are children of a hierarchy. */
  primary: boolean;
  /** Handle in persistent storage when the object is persistent. */
  persistentHandle: number | undefined;
  /** Key objects (and the ECC private scalar as an integer) built on first use. */
  cache: { publicKey?: KeyObject; privateKey?: KeyObject; eccScalar?: bigint };
}

/** Part 1 §16: Name = nameAlg || H_nameAlg(TPMT_PUBLIC); with TPM_ALG_NULL (sequence objects) it is empty, as in libtpms. */
export function objectName(publicArea: TPMT_PUBLIC, publicBytes: Uint8Array): Buffer {
  if (publicArea.nameAlg === 0x0010) return Buffer.alloc(0);
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(publicArea.nameAlg);
  return Buffer.concat([alg, hashDigest(publicArea.nameAlg, publicBytes)]);
}

/** Part 1 §26.5: QN = nameAlg || H_nameAlg(parent QN || Name). */
export function qualifiedNameOf(nameAlg: number, parentQualifiedName: Uint8Array, name: Uint8Array): Buffer {
  const alg = Buffer.alloc(2);
  alg.writeUInt16BE(nameAlg);
  if (nameAlg === 0x0010) return alg;
  return Buffer.concat([alg, hashDigest(nameAlg, parentQualifiedName, name)]);
}

/** A 4-byte handle as a Name (permanent entities, PCRs, sessions; Part 1 §16). */
export function handleName(handle: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(handle >>> 0);
  return b;
}

/** Builds the in-memory object from its public area (and sensitive area, when it has one). */
export function makeObject(
  publicArea: TPMT_PUBLIC,
  sensitive: TPMT_SENSITIVE | undefined,
  hierarchy: number,
  parentQualifiedName: Uint8Array,
  primary = false,
): TpmObject {
  const publicBytes = marshal(TPMT_PUBLIC, publicArea);
  const name = objectName(publicArea, publicBytes);
  return {
    publicArea,
    publicBytes,
    name,
    qualifiedName: qualifiedNameOf(publicArea.nameAlg, parentQualifiedName, name),
    sensitive,
    hierarchy,
    primary,
    persistentHandle: undefined,
    cache: {},
  };
}

/** Transient object slots (handles 0x80000000 + slot). */
export class ObjectSlots {
  private readonly slots: (TpmObject | undefined)[];

  constructor(readonly capacity: number) {
    this.slots = new Array<TpmObject | undefined>(capacity).fill(undefined);
  }

  /** Part 3 §12.2: no free slot is TPM_RC_OBJECT_MEMORY. */
  add(object: TpmObject): number {
    const i = this.slots.indexOf(undefined);
    if (i < 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
    this.slots[i] = object;
    return (TPM_HC.TRANSIENT_FIRST + i) >>> 0;
  }

  get(handle: number): TpmObject | undefined {
    return this.slots[handle - TPM_HC.TRANSIENT_FIRST];
  }

  remove(handle: number): boolean {
    const i = handle - TPM_HC.TRANSIENT_FIRST;
    if (i < 0 || i >= this.capacity || this.slots[i] === undefined) return false;
    this.slots[i] = undefined;
    return true;
  }

  handles(): number[] {
    const out: number[] = [];
    this.slots.forEach((o, i) => o && out.push((TPM_HC.TRANSIENT_FIRST + i) >>> 0));
    return out;
  }

  get free(): number {
    return this.slots.filter((o) => o === undefined).length;
  }

  /** Flushes objects of a hierarchy (hierarchy disabled, Clear) or all of them (Startup). */
  flushWhere(pred: (o: TpmObject) => boolean): void {
    this.slots.forEach((o, i) => {
      if (o && pred(o)) this.slots[i] = undefined;
    });
  }
}
