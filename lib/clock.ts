/** The one source of time of services and devices: tests move it, fleets may compress it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Real wall-clock time. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that moves only when told to (tests; no sleeps). */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward (or back, for rollback tests) by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }

  set(at: number | Date): void {
    this.#now = typeof at === "number" ? at : at.getTime();
  }
}
