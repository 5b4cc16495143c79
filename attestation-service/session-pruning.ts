import type { AttestationStore } from "./store/attestation-store.js";

/** Expired sessions are deleted this long after their expiry (a late proof still learns NONCE_EXPIRED meanwhile). */
export const SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Deleting expired sessions at most this often (service time) keeps a write off most challenges. */
const PRUNE_INTERVAL_MS = 60 * 1000;

/** Deletes sessions past their retention, at most once per interval of service time. */
export class SessionPruner {
  #nextAt = -Infinity;

  constructor(private readonly store: AttestationStore) {}

  /** Prunes when the last prune is an interval old (or the clock went back); otherwise does nothing. */
  async pruneIfDue(now: number): Promise<void> {
    if (now < this.#nextAt && now >= this.#nextAt - PRUNE_INTERVAL_MS) return;
    this.#nextAt = now + PRUNE_INTERVAL_MS;
    await this.store.pruneSessions(now - SESSION_RETENTION_MS);
  }
}
