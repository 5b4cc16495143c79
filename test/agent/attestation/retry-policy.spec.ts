import { expect } from "chai";
import { Backoff } from "../../../agent/index.js";

const delays = (backoff: Backoff, n: number, retryAfterMs?: number) => Array.from({ length: n }, (_, i) => backoff.delayAfter(i + 1, retryAfterMs));

describe("agent/attestation: retry backoff", () => {
  it("doubles the delay each attempt with equal jitter: half fixed, half random", () => {
    const out = delays(new Backoff({ baseDelayMs: 1000, maxDelayMs: 60_000 }, 42), 5);
    out.forEach((ms, i) => expect(ms).to.be.within(500 * 2 ** i, 1000 * 2 ** i));
    expect(new Set(out.map((ms, i) => ms / 2 ** i)).size).to.be.greaterThan(1);
  });

  it("repeats the same delays for the same seed and spreads different seeds", () => {
    expect(delays(new Backoff({}, 7), 4)).to.deep.equal(delays(new Backoff({}, 7), 4));
    expect(delays(new Backoff({ seed: 7 }, 1), 4)).to.deep.equal(delays(new Backoff({}, 7), 4));
    expect(delays(new Backoff({}, 7), 4)).to.not.deep.equal(delays(new Backoff({}, 8), 4));
  });

  it("never waits longer than the maximum, even when asked to by Retry-After", () => {
    const backoff = new Backoff({ baseDelayMs: 1000, maxDelayMs: 5000 }, 3);
    expect(Math.max(...delays(backoff, 10))).to.be.at.most(5000);
    expect(backoff.delayAfter(1, 3_600_000)).to.equal(5000);
    expect(backoff.delayAfter(1, 3000)).to.equal(3000);
  });
});
