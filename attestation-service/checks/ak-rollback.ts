import { ProtocolError } from "../../protocol/index.js";
import type { AkClock } from "../store/attestation-store.js";

const HALF_RANGE = 2 ** 31;

/**
 * How far a UINT32 counter moved, modulo 2^32: attestations by owner-hierarchy keys add a fixed per-key offset to
 * resetCount and restartCount (Part 3 §18.1), so the raw values may wrap while their differences stay exact.
 * Positive: forward; negative: backward.
 */
function counterDelta(previous: number, current: number): number {
  const delta = (current - previous) >>> 0;
  return delta < HALF_RANGE ? delta : delta - 2 ** 32;
}

/**
 * An AK's TPM clock and counters only move forward between its attestations (keylime check_quote_timing): a
 * smaller resetCount, a smaller restartCount within one reset cycle, or a smaller clock within one restart means
 * an old TPM state (a replayed or restored TPM). After a reset the clock may lag (an unorderly shutdown loses
 * clock updates, Part 1 §36.6), so the clock is compared only within one reset and restart cycle.
 * @param previous the last accepted attestation of this AK, if any.
 * @throws ProtocolError AK_ROLLBACK
 */
export function checkAkRollback(previous: AkClock | undefined, current: AkClock): void {
  if (previous === undefined) return;
  const resets = counterDelta(previous.resetCount, current.resetCount);
  if (resets < 0) throw new ProtocolError("AK_ROLLBACK", "resetCount went backwards");
  if (resets > 0) return;
  const restarts = counterDelta(previous.restartCount, current.restartCount);
  if (restarts < 0) throw new ProtocolError("AK_ROLLBACK", "restartCount went backwards");
  if (restarts > 0) return;
  if (current.clock < previous.clock) throw new ProtocolError("AK_ROLLBACK", "clock went backwards");
}
