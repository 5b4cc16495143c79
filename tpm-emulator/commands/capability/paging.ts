/**
 * How TPM2_GetCapability pages a list (Part 3 §30.2): at most `propertyCount` entries (and never more than fit
 * MAX_CAP_BUFFER), with moreData YES when entries were left out.
 */

/** Octets of TPMU_CAPABILITIES data that fit a response: MAX_CAP_BUFFER less capability and count (Part 2 §10.10). */
const MAX_CAP_DATA = 1024 - 4 - 4;

/** The most entries of `entrySize` octets one response carries (MAX_CAP_ALGS, MAX_CAP_HANDLES, …). */
export function maxEntries(entrySize: number): number {
  return Math.floor(MAX_CAP_DATA / entrySize);
}

/** Entry sizes of the capability lists (Part 2 §10.9). */
export const ENTRY_SIZE = {
  algProperty: 6,
  handle: 4,
  commandAttributes: 4,
  taggedProperty: 8,
  taggedPcrSelect: 8,
  eccCurve: 2,
  taggedPolicy: 4 + 2 + 64,
} as const;

/** The first `count` (capped at `max`) of `items`, which are already the candidates in order. */
export function page<T>(items: readonly T[], count: number, max: number): { moreData: boolean; items: T[] } {
  const n = Math.min(count, max);
  return { moreData: items.length > n, items: items.slice(0, n) };
}
