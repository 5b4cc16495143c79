import { randomBytes, randomFillSync } from "node:crypto";

/** Bytes drawn from the CSPRNG per refill: one call per many nonces instead of one per nonce. */
const RANDOM_POOL_SIZE = 4096;
const randomPool = Buffer.alloc(RANDOM_POOL_SIZE);
let randomOffset = RANDOM_POOL_SIZE;

/**
 * `n` bytes from node's CSPRNG, taken from a pool refilled 4 KiB at a time: nonces are drawn by the thousand per
 * second, and each randomBytes call costs more than the bytes. Bytes handed out are erased from the pool.
 */
export function pooledRandomBytes(n: number): Buffer {
  if (n > RANDOM_POOL_SIZE) return randomBytes(n);
  if (randomOffset + n > RANDOM_POOL_SIZE) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const out = Buffer.from(randomPool.subarray(randomOffset, randomOffset + n));
  randomPool.fill(0, randomOffset, randomOffset + n);
  randomOffset += n;
  return out;
}
