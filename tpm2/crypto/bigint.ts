/** The unsigned big-endian integer in `bytes` (0n for no octets). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`);
}

/**
 * `value` (≥ 0) as big-endian octets: exactly `length` of them when given (RangeError if it does not fit),
 * otherwise the fewest that hold it (one octet for 0).
 */
export function bigIntToBytes(value: bigint, length?: number): Buffer {
  if (value < 0n) throw new RangeError("negative value");
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (length === undefined) return Buffer.from(hex, "hex");
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} octets`);
  return Buffer.from(hex.padStart(length * 2, "0"), "hex");
}

/** Number of significant bits of `value` (≥ 0). */
export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** a⁻¹ mod m (extended Euclid). @throws RangeError when a and m are not coprime. */
export function modInverse(a: bigint, m: bigint): bigint {
  // plain temporaries: destructuring swaps allocate an array per step, which dominated ECDSA signing
  let oldR = ((a % m) + m) % m;
  let r = m;
  let oldS = 1n;
  let s = 0n;
  while (r !== 0n) {
    const q = oldR / r;
    const nextR = oldR - q * r;
    oldR = r;
    r = nextR;
    const nextS = oldS - q * s;
    oldS = s;
    s = nextS;
  }
  if (oldR !== 1n) throw new RangeError("not invertible");
  return ((oldS % m) + m) % m;
}
