import { expect } from "chai";
import { SESSION_RETENTION_MS, SessionPruner } from "../../attestation-service/session-pruning.js";
import type { AttestationStore } from "../../attestation-service/index.js";

/** A store that records the cut-off of every prune. */
function recordingStore(): { store: AttestationStore; cutoffs: number[] } {
  const cutoffs: number[] = [];
  const store = {
    pruneSessions: (before: number) => {
      cutoffs.push(before);
      return Promise.resolve(0);
    },
  } as unknown as AttestationStore;
  return { store, cutoffs };
}

describe("attestation-service/session-pruning", () => {
  const T0 = Date.parse("2026-06-01T00:00:00Z");

  it("prunes on the first challenge, then at most once a minute of service time, keeping a day of expired sessions", async () => {
    const { store, cutoffs } = recordingStore();
    const pruner = new SessionPruner(store);
    await pruner.pruneIfDue(T0);
    await pruner.pruneIfDue(T0 + 1_000);
    await pruner.pruneIfDue(T0 + 59_999);
    expect(cutoffs).to.deep.equal([T0 - SESSION_RETENTION_MS]);
    await pruner.pruneIfDue(T0 + 60_000);
    expect(cutoffs).to.deep.equal([T0 - SESSION_RETENTION_MS, T0 + 60_000 - SESSION_RETENTION_MS]);
  });

  it("prunes again when the service clock was set back", async () => {
    const { store, cutoffs } = recordingStore();
    const pruner = new SessionPruner(store);
    await pruner.pruneIfDue(T0);
    await pruner.pruneIfDue(T0 - 3_600_000);
    expect(cutoffs).to.have.length(2);
  });
});
