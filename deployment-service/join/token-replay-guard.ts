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

  consume(jti: string, expiresAt: number, now: number): Promise<boolean> {
    for (const [id, expiry] of this.#used) if (expiry <= now) this.#used.delete(id);
    if (this.#used.has(jti)) return Promise.resolve(false);
    this.#used.set(jti, expiresAt);
    return Promise.resolve(true);
  }
}
