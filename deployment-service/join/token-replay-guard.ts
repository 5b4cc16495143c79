/**
 * One attestation token, one join: the ids (`jti`) of tokens already used, kept until the token would have expired
 * anyway. The in-memory guard serves one process; replicas share a guard backed by their database.
 */

/** Records token uses. */
export interface TokenReplayGuard {
  /** True the first time `jti` is presented; false when it was used before. */
  consume(jti: string, expiresAt: number, now: number): Promise<boolean>;
}

/** A guard in this process's memory, pruned of expired tokens as it goes. */
export class MemoryTokenReplayGuard implements TokenReplayGuard {
  readonly #used = new Map<string, number>();
  #prunedAt = Number.NEGATIVE_INFINITY;

  consume(jti: string, expiresAt: number, now: number): Promise<boolean> {
    // a sweep per second, not per token: thousands of joins a second would otherwise sweep thousands of ids each
    if (now - this.#prunedAt >= 1_000) {
      this.#prunedAt = now;
      for (const [id, expiry] of this.#used) if (expiry <= now) this.#used.delete(id);
    }
    if (this.#used.has(jti)) return Promise.resolve(false);
    this.#used.set(jti, expiresAt);
    return Promise.resolve(true);
  }
}
