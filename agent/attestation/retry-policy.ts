/**
 * How the device retries the service: exponential backoff with "equal jitter" (half the delay fixed, half
 * random) from a seeded generator, so a fleet's devices spread out yet every run with the same seed waits
 * the same; a Retry-After from the service is honoured up to the maximum delay.
 */
import { seededRandom } from "../../lib/index.js";

/** Retry settings of {@link attestDevice}. */
export interface RetryOptions {
  /** Attempts of the challenge → proof exchange in all (the retry budget). Default 5. */
  readonly attempts?: number;
  /** Delay after the first failure, doubled after each next one. Default 1000 ms. */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay. Default 30 000 ms. */
  readonly maxDelayMs?: number;
  /** Seed of the jitter; by default derived from the EK, so each device has its own and keeps it. */
  readonly seed?: number;
  /** How to wait; tests inject one that does not sleep. */
  readonly delay?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY = Object.freeze({ attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 });

/** The delays of one attestation's retries. */
export class Backoff {
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: RetryOptions, seed: number) {
    this.random = seededRandom(options.seed ?? seed);
    this.baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  }

  /** The wait after failed attempt number `attempt` (1-based). */
  delayAfter(attempt: number, retryAfterMs?: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    const jittered = Math.round(ceiling / 2 + this.random() * (ceiling / 2));
    if (retryAfterMs === undefined) return jittered;
    return Math.max(jittered, Math.min(retryAfterMs, this.maxDelayMs));
  }
}

/** Real waiting, for devices outside tests. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
