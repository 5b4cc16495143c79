/**
 * The few DER encodings (X.690 §8, §10) a Windows-shaped certificate request needs. Hand-built because the request
 * carries what X.509 libraries refuse to write: the OIW sha1WithRSASignature OID and a CN holding `!` and NUL as a
 * PrintableString, exactly as Windows' enrollment client writes them.
 */

/** Universal and context tags used by the request. */
export const TAG = Object.freeze({
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  printableString: 0x13,
  sequence: 0x30,
  set: 0x31,
  /** `[0] IMPLICIT`, constructed: the request's attributes. */
  contextConstructed0: 0xa0,
});

/** X.690 §8.1.3: short form below 128, otherwise long form with the fewest length octets. */
function lengthOctets(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** One TLV: `tag`, the definite length of the concatenated `contents`, the contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Uint8Array.of(tag), lengthOctets(body.length), body]);
}

/** X.690 §8.19: an OBJECT IDENTIFIER from its dotted form (first two arcs folded, base-128 subidentifiers). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`not an OID: ${dotted}`);
    return Number(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) throw new RangeError(`not an OID: ${dotted}`);
  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const group: number[] = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) group.unshift(0x80 | high % 128);
    octets.push(...group);
  }
  return tlv(TAG.oid, Uint8Array.from(octets));
}
