/**
 * The commit state of the TPM's split ECC operations (Part 1 Annex C, ECDAA anonymous signing; Part 3 §19.2, §19.3,
 * §14.7; the reference's gr.commitCounter, gr.commitNonce and gr.commitArray with CryptGenerateR, CryptCommit and
 * CryptEndCommit). TPM2_Commit and TPM2_EC_Ephemeral derive a one-time scalar r from a secret made at TPM Reset and
 * the commit counter, and mark the counter as outstanding; TPM2_Sign (ECDAA) and TPM2_ZGen_2Phase name that
 * counter, derive the same r, and end the commitment, so each r is used once.
 */
import { randomBytes } from "node:crypto";
import { TPM_ALG, bigIntToBytes, bytesToBigInt, kdfa, type EccCurveInfo } from "../tpm2/index.js";

/** Bits in the commit array: the reference's gr.commitArray of 16 octets. */
const COMMIT_ARRAY_BITS = 128;
/** The low bits of a counter that index the commit array (COMMIT_INDEX_MASK). */
const COMMIT_INDEX_MASK = COMMIT_ARRAY_BITS - 1;
/** KDFa label of the commit random value (the reference's COMMIT_STRING). */
const COMMIT_LABEL = "ECDAA Commit";
/** The hash of the KDF (the reference's CONTEXT_INTEGRITY_HASH_ALG; any fixed choice keeps commit and use equal). */
const COMMIT_KDF_HASH = TPM_ALG.SHA256;
const NONCE_BYTES = 32;
const UINT64_BITS = 64;
/** Candidates tried before giving up on an r in range (the reference's loop bound, far beyond any real need). */
const MAX_CANDIDATES = 1000;

/** The commit state as Shutdown(STATE) saves it (part of the reference's state-reset data). */
export interface CommitRecord {
  counter: bigint;
  nonce: Uint8Array;
  /** COMMIT_ARRAY_BITS bits, bit i of octet i >> 3 at position i & 7 (the reference's SET_BIT layout). */
  array: Uint8Array;
}

/** The commit counter, the commit nonce and the array of outstanding commitments of one TPM. */
export class CommitLedger {
  private constructor(
    private counter: bigint,
    private readonly nonce: Buffer,
    private readonly array: Buffer,
  ) {}

  /** The state after a TPM Reset: counter 0, no outstanding commitment, a new nonce. */
  static fresh(): CommitLedger {
    return new CommitLedger(0n, randomBytes(NONCE_BYTES), Buffer.alloc(COMMIT_ARRAY_BITS / 8));
  }

  /** The state a TPM Restart or Resume brings back. */
  static restore(record: CommitRecord): CommitLedger {
    const array = Buffer.alloc(COMMIT_ARRAY_BITS / 8);
    array.set(record.array.subarray(0, array.length));
    return new CommitLedger(BigInt.asUintN(UINT64_BITS, record.counter), Buffer.from(record.nonce), array);
  }

  /** A copy of the state, for Shutdown(STATE). */
  record(): CommitRecord {
    return { counter: this.counter, nonce: Buffer.from(this.nonce), array: Buffer.from(this.array) };
  }

  /** The counter the next commitment gets. */
  get nextCounter(): bigint {
    return this.counter;
  }

  private isOutstanding(index: number): boolean {
    return ((this.array[index >> 3]! >> (index & 7)) & 1) === 1;
  }

  /**
   * CryptGenerateR: the r of the commitment `count` names, or, with no count, the r the next commitment gets.
   * `name` binds r to a key (TPM2_Commit and ECDAA signing) or is empty (TPM2_EC_Ephemeral and ZGen_2Phase).
   * @returns undefined when `count` is not an outstanding commitment of this counter's window, or no candidate
   *   was in [1, n−1] with its upper half non-zero.
   */
  r(curve: EccCurveInfo, count: number | undefined, name: Uint8Array): bigint | undefined {
    let value = this.counter;
    if (count !== undefined) {
      if (!this.isOutstanding(count & COMMIT_INDEX_MASK)) return undefined;
      // the counter has moved on since the commitment: find the value it had, whose low 16 bits are `count`
      if ((count & COMMIT_INDEX_MASK) >= Number(value & BigInt(COMMIT_INDEX_MASK))) {
        value = BigInt.asUintN(UINT64_BITS, value - BigInt(COMMIT_ARRAY_BITS));
      }
      const high = Number(value & 0xffffn) & ~COMMIT_INDEX_MASK;
      if (high !== (count & ~COMMIT_INDEX_MASK)) return undefined;
      value = (value & ~0xffffn) | BigInt(count);
    }
    const octets = bigIntToBytes(curve.order).length;
    const counterBytes = bigIntToBytes(value, 8);
    for (let attempt = 0; attempt < MAX_CANDIDATES; attempt++) {
      const context = attempt === 0 ? counterBytes : Buffer.concat([counterBytes, bigIntToBytes(BigInt(attempt), 4)]);
      const candidate = kdfa(COMMIT_KDF_HASH, this.nonce, COMMIT_LABEL, name, context, octets * 8);
      const r = bytesToBigInt(candidate);
      if (r >= curve.order) continue;
      // as the reference requires: some octet of the upper half is not zero
      if (candidate.subarray(0, (octets >> 1) + 1).some((b) => b !== 0)) return r;
    }
    return undefined;
  }

  /** CryptCommit: marks the current counter as outstanding and advances it; returns its low 16 bits. */
  commit(): number {
    const old = Number(this.counter & 0xffffn);
    this.counter = BigInt.asUintN(UINT64_BITS, this.counter + 1n);
    const index = old & COMMIT_INDEX_MASK;
    this.array[index >> 3] = this.array[index >> 3]! | (1 << (index & 7));
    return old;
  }

  /** CryptEndCommit: the commitment `count` cannot be used again. */
  end(count: number): void {
    const index = count & COMMIT_INDEX_MASK;
    this.array[index >> 3] = this.array[index >> 3]! & ~(1 << (index & 7));
  }
}
