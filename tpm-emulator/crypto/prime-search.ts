import { bigIntToBytes, bytesToBigInt, gcd } from "../../tpm2/index.js";
import { modPow } from "./mod-pow.js";
import type { SeededDrbg } from "./seeded-drbg.js";

/** Odd primes below this bound sieve the candidates before any modular exponentiation. */
const SIEVE_BOUND = 1 << 16;
/** Odd offsets examined per random start: start, start + 2, …, start + 2·(WINDOW − 1). */
const WINDOW = 4096;
/** Random starts tried before giving up; a window holds a prime with probability > 0.99999 at 1024 bits. */
const MAX_STARTS = 64;

const SMALL_PRIMES: Uint32Array = oddPrimesBelow(SIEVE_BOUND);

function oddPrimesBelow(bound: number): Uint32Array {
  const composite = new Uint8Array(bound);
  const primes: number[] = [];
  for (let i = 3; i < bound; i += 2) {
    if (composite[i]) continue;
    primes.push(i);
    for (let j = i * i; j < bound; j += 2 * i) composite[j] = 1;
  }
  return Uint32Array.from(primes);
}

/** Miller-Rabin rounds for a prime of `bits` bits (FIPS 186-5 Table B.1, error ≤ 2⁻¹⁰⁰ for random candidates). */
export function millerRabinRounds(bits: number): number {
  if (bits <= 512) return 7;
  if (bits <= 1024) return 5;
  return 4;
}

/** One Miller-Rabin round (FIPS 186-5 §B.3.1) of odd n with n − 1 = 2^s · d, base b ∈ [2, n − 2]. */
function millerRabinRound(n: bigint, d: bigint, s: number, base: bigint, bytes: number): boolean {
  let y = modPow(base, d, n, bytes);
  if (y === 1n || y === n - 1n) return true;
  for (let i = 1; i < s; i++) {
    y = (y * y) % n;
    if (y === n - 1n) return true;
    if (y === 1n) return false;
  }
  return false;
}

/**
 * Miller-Rabin with base 2 first, then `rounds − 1` bases drawn from the DRBG, uniform in [2, n − 2] by
 * rejection. Nearly every candidate that reaches this test is composite and fails the first round, so the fixed
 * first base costs no DRBG output; only primes draw the further bases.
 */
function isProbablePrime(n: bigint, rounds: number, drbg: SeededDrbg): boolean {
  const bytes = Math.ceil(n.toString(16).length / 2);
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  if (!millerRabinRound(n, d, s, 2n, bytes)) return false;
  for (let round = 1; round < rounds; round++) {
    let base: bigint;
    do base = bytesToBigInt(drbg.next(bytes));
    while (base < 2n || base > n - 2n);
    if (!millerRabinRound(n, d, s, base, bytes)) return false;
  }
  return true;
}

/**
 * Words per partial sum: each term w·(2^32j mod p) is below 2^48, so a sum of 16 stays below 2^52 and the
 * floor-division reduction below is exact (q·p ≤ sum + p < 2^53).
 */
const TERMS_PER_SUM = 16;
const powerTables = new Map<number, Uint16Array>();

/** For `words` 32-bit words: table[i·words + j] = 2^(32·(words − 1 − j)) mod SMALL_PRIMES[i]. */
function powerTable(words: number): Uint16Array {
  const cached = powerTables.get(words);
  if (cached !== undefined) return cached;
  const table = new Uint16Array(SMALL_PRIMES.length * words);
  for (let i = 0; i < SMALL_PRIMES.length; i++) {
    const p = SMALL_PRIMES[i]!;
    const step = 4294967296 % p;
    let power = 1;
    for (let j = words - 1; j >= 0; j--) {
      table[i * words + j] = power;
      power = (power * step) % p;
    }
  }
  powerTables.set(words, table);
  return table;
}

/**
 * start mod p for every sieving prime, as Σ word_j · (2^32j mod p) with precomputed powers: multiply-adds that
 * are exact in doubles, and one reduction per 16 words instead of one per word.
 */
function residues(start: bigint, bits: number): Float64Array {
  const words = Math.ceil(bits / 32);
  const bytes = bigIntToBytes(start, words * 4);
  const w = new Float64Array(words);
  for (let j = 0; j < words; j++) w[j] = bytes.readUInt32BE(j * 4);
  const table = powerTable(words);
  const out = new Float64Array(SMALL_PRIMES.length);
  for (let i = 0, row = 0; i < SMALL_PRIMES.length; i++, row += words) {
    const p = SMALL_PRIMES[i]!;
    let r = 0;
    for (let from = 0; from < words; from += TERMS_PER_SUM) {
      let sum = r;
      const to = Math.min(words, from + TERMS_PER_SUM);
      for (let j = from; j < to; j++) sum += w[j]! * table[row + j]!;
      r = sum - Math.floor(sum / p) * p;
      if (r < 0) r += p;
      else if (r >= p) r -= p;
    }
    out[i] = r;
  }
  return out;
}

/** Marks the offsets k of the window where start + 2k has a small prime factor. */
function sieveWindow(remainders: Float64Array): Uint8Array {
  const marked = new Uint8Array(WINDOW);
  for (let i = 0; i < SMALL_PRIMES.length; i++) {
    const p = SMALL_PRIMES[i]!;
    // The first k with start + 2k ≡ 0 (mod p): for even r, 2(p − r/2) ≡ −r; for odd r, p − r is even.
    const r = remainders[i]!;
    let k = r === 0 ? 0 : r % 2 === 0 ? p - r / 2 : (p - r) / 2;
    for (; k < WINDOW; k += p) marked[k] = 1;
  }
  return marked;
}

/**
 * A probable prime of exactly `bits` bits with its two top bits set (so two of them make a modulus of exactly
 * 2·bits bits) and gcd(p − 1, e) = 1, found deterministically from `drbg`: a random odd start, a small-prime sieve
 * over the window of odd numbers after it, then Miller-Rabin on the survivors in order.
 * @returns null if no prime was found after {@link MAX_STARTS} starts (never observed).
 */
export function findPrime(drbg: SeededDrbg, bits: number, e: bigint): bigint | null {
  const rounds = millerRabinRounds(bits);
  const top = 1n << BigInt(bits);
  const topTwo = 3n << BigInt(bits - 2);
  for (let attempt = 0; attempt < MAX_STARTS; attempt++) {
    const start = (bytesToBigInt(drbg.next(Math.ceil(bits / 8))) & (top - 1n)) | topTwo | 1n;
    const marked = sieveWindow(residues(start, bits));
    for (let k = 0; k < WINDOW; k++) {
      if (marked[k]) continue;
      const candidate = start + 2n * BigInt(k);
      if (candidate >= top) break;
      if (gcd(candidate - 1n, e) !== 1n) continue;
      if (isProbablePrime(candidate, rounds, drbg)) return candidate;
    }
  }
  return null;
}
