/** A small seeded PRNG (sfc32, seeded through splitmix32), so a fuzz run is replayed by its seed. */

/** The seed of a fuzz run: env FUZZ_SEED (decimal or 0x-hex) or a fixed default. */
export function fuzzSeed(fallback = 0x5eed): number {
  const raw = process.env["FUZZ_SEED"]?.trim();
  if (!raw) return fallback;
  const n = raw.toLowerCase().startsWith("0x") ? Number.parseInt(raw.slice(2), 16) : Number.parseInt(raw, 10);
  if (!Number.isFinite(n)) throw new Error(`FUZZ_SEED is not a number: ${raw}`);
  return n >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(items.length)]!;
  }

  /** Picks by weight; entries with weight 0 are never chosen. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.u32() / 0x1_0000_0000 * total;
    for (const [item, w] of items) {
      if (x < w) return item;
      x -= w;
    }
    return items[items.length - 1]![0];
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** Integers that tend to find bugs: boundaries and small values more often than uniform ones. */
  interesting32(): number {
    return this.weighted<() => number>([
      [() => this.pick([0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff]), 3],
      [() => this.int(64), 3],
      [() => this.u32(), 2],
    ])();
  }

  interesting16(): number {
    return this.weighted<() => number>([
      [() => this.pick([0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x400, 0x401, 0x1000, 0x7fff, 0x8000, 0xffff]), 3],
      [() => this.int(80), 3],
      [() => this.u32() & 0xffff, 2],
    ])();
  }
}
