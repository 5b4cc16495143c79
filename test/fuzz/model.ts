/**
 * What the fuzzer believes is loaded in the TPM, built from the commands it sent and the responses it got. It may
 * be wrong after a mutated command succeeded; a wrong belief only makes later commands fail, and a periodic
 * resync (GetCapability) corrects it.
 */
import {
  TPM_ALG,
  TPM_RH,
  TPMA_OBJECT,
  TPMS_NV_PUBLIC,
  hashDigest,
  marshal,
  type TPMT_PUBLIC,
  type TPMT_SYM_DEF,
} from "../../tpm2/index.js";

/** The authValues the generator ever sets, so a belief lost to a mutation can be recovered by guessing. */
export const AUTH_CANDIDATES: readonly Buffer[] = [Buffer.alloc(0), Buffer.from("fuzz"), Buffer.from("owner-pw")];

export type ObjectKind = "storage" | "signing" | "hmac" | "sealed" | "symcipher" | "decrypt" | "public" | "unknown";

export interface ObjectBelief {
  handle: number;
  name: Buffer;
  auth: Buffer | undefined;
  kind: ObjectKind;
  type: number;
  hierarchy: number;
}

export interface SessionBelief {
  handle: number;
  type: number;
  authHash: number;
  symmetric: TPMT_SYM_DEF;
  /** undefined when the key is unknown (a salted session, or one a mutated command started). */
  sessionKey: Buffer | undefined;
  nonceTPM: Buffer;
  boundName: Buffer | undefined;
  authValueNeeded: boolean;
  passwordNeeded: boolean;
}

export interface NvBelief {
  handle: number;
  auth: Buffer | undefined;
  /** undefined when only the handle is known (found by a resync). */
  public: TPMS_NV_PUBLIC | undefined;
}

/** Key material Create returned, to be loaded later under the same parent. */
export interface CreatedBlob {
  parentName: Buffer;
  private: Uint8Array;
  public: TPMT_PUBLIC;
  auth: Buffer;
}

/** A credential MakeCredential made, for ActivateCredential to recover. */
export interface CredentialBlob {
  keyName: Buffer;
  objectName: Buffer;
  credentialBlob: Uint8Array;
  secret: Uint8Array;
}

/** A signature Sign made, for VerifySignature to check. */
export interface SignedDigest {
  keyName: Buffer;
  digest: Uint8Array;
  signature: unknown;
}

export const HIERARCHIES: readonly number[] = [TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL];

/** The kind of key a public area describes, for choosing handles by role. */
export function kindOf(pub: TPMT_PUBLIC): ObjectKind {
  const a = pub.objectAttributes;
  if (pub.type === TPM_ALG.KEYEDHASH) return a & TPMA_OBJECT.sign ? "hmac" : "sealed";
  if (pub.type === TPM_ALG.SYMCIPHER) return "symcipher";
  if (a & TPMA_OBJECT.restricted && a & TPMA_OBJECT.decrypt) return "storage";
  if (a & TPMA_OBJECT.sign) return "signing";
  if (a & TPMA_OBJECT.decrypt) return "decrypt";
  return "unknown";
}

export class Model {
  readonly objects = new Map<number, ObjectBelief>();
  readonly sessions = new Map<number, SessionBelief>();
  readonly nv = new Map<number, NvBelief>();
  /** Hierarchy authValues; undefined when a mutated command may have changed one. */
  readonly hierarchyAuth = new Map<number, Buffer | undefined>([
    [TPM_RH.OWNER, Buffer.alloc(0)],
    [TPM_RH.ENDORSEMENT, Buffer.alloc(0)],
    [TPM_RH.PLATFORM, Buffer.alloc(0)],
    [TPM_RH.LOCKOUT, Buffer.alloc(0)],
    [TPM_RH.NULL, Buffer.alloc(0)],
  ]);
  /** Values harvested from responses, by response field name, most recent last. */
  readonly pool = new Map<string, unknown[]>();
  readonly created: CreatedBlob[] = [];
  readonly credentials: CredentialBlob[] = [];
  readonly signatures: SignedDigest[] = [];
  started = false;

  remember(field: string, value: unknown, cap = 16): void {
    const list = this.pool.get(field) ?? [];
    list.push(value);
    if (list.length > cap) list.shift();
    this.pool.set(field, list);
  }

  recall(field: string): readonly unknown[] {
    return this.pool.get(field) ?? [];
  }

  /** Power loss or TPM Reset: transient objects and loaded sessions are gone. */
  forgetVolatile(): void {
    for (const h of [...this.objects.keys()]) if (h >>> 24 === 0x80) this.objects.delete(h);
    this.sessions.clear();
  }

  /** The authValue of an entity as far as we know it. */
  authOf(handle: number): Buffer | undefined {
    const top = handle >>> 24;
    if (top === 0x80 || top === 0x81) return this.objects.get(handle)?.auth;
    if (top === 0x01) return this.nv.get(handle)?.auth;
    if (top === 0x00) return Buffer.alloc(0);
    return this.hierarchyAuth.get(handle) ?? undefined;
  }

  /** The Name of an entity as far as we know it (Part 1 §16: a handle's own bytes for PCRs and hierarchies). */
  nameOf(handle: number): Buffer {
    const o = this.objects.get(handle);
    if (o) return o.name;
    const pub = this.nv.get(handle)?.public;
    if (pub) {
      const alg = Buffer.alloc(2);
      alg.writeUInt16BE(pub.nameAlg);
      return Buffer.concat([alg, hashDigest(pub.nameAlg, marshal(TPMS_NV_PUBLIC, pub))]);
    }
    const b = Buffer.alloc(4);
    b.writeUInt32BE(handle >>> 0);
    return b;
  }

  /** Loaded objects whose Name is `name`. */
  objectsNamed(name: Uint8Array): ObjectBelief[] {
    return this.objectsWhere((o) => o.name.length > 0 && o.name.equals(name));
  }

  objectsWhere(pred: (o: ObjectBelief) => boolean): ObjectBelief[] {
    return [...this.objects.values()].filter(pred);
  }

  transientCount(): number {
    let n = 0;
    for (const h of this.objects.keys()) if (h >>> 24 === 0x80) n++;
    return n;
  }
}
