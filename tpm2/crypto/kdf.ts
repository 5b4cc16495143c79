import { createHash, createHmac } from "node:crypto";
import { hashInfo } from "./hash.js";

const LABEL_CACHE_MAX = 64;
const labelCache = new Map<string, Buffer>();

/**
 * The octets of a KDF label: the string followed by its terminating 0x00, which both KDFs hash (Part 1
 * §11.4.10.2: a string label includes its null terminator). The empty label is therefore the single octet 0x00,
 * as in tpm2-tss and go-tpm. Labels are a handful of constants, so their octets are cached.
 */
function labelOctets(label: string): Buffer {
  const cached = labelCache.get(label);
  if (cached !== undefined) return cached;
  const octets = Buffer.from(`${label}\0`, "utf8");
  if (labelCache.size < LABEL_CACHE_MAX) labelCache.set(label, octets);
  return octets;
}

function checkBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new RangeError(`bad KDF output size ${bits} bits`);
  }
  return (bits + 7) >>> 3;
}

/** Part 1 §11.4.10.2/.3: when `bits` is not a multiple of 8, the unused high bits of the first octet are zero. */
function maskLeadingBits(out: Buffer, bits: number): Buffer {
  const spare = bits & 7;
  if (spare !== 0 && out.length > 0) out[0] = out[0]! & ((1 << spare) - 1);
  return out;
}

/**
 * Runs `block(counter)` for counter = 1, 2, … and concatenates the blocks into exactly `bytes` octets. When one
 * block already has the right length it is returned as is (the common case: a key the size of the digest).
 */
function counterMode(bytes: number, digestSize: number, block: (counter: Buffer) => Buffer): Buffer {
  const counter = Buffer.alloc(4);
  if (bytes === digestSize) {
    counter.writeUInt32BE(1);
    return block(counter);
  }
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 1, offset = 0; offset < bytes; i++) {
    counter.writeUInt32BE(i);
    offset += block(counter).copy(out, offset);
  }
  return out;
}

/**
 * KDFa, Part 1 §11.4.10.2: SP 800-108 counter mode with HMAC_hashAlg keyed by `key`,
 * K(i) = HMAC(key, [i]32 || label || 0x00 || contextU || contextV || [bits]32), truncated to `bits` bits.
 * @param label the use, e.g. "STORAGE", "ATH", "CFB"; its 0x00 terminator is added here.
 * @throws TpmError TPM_RC_HASH for an unknown hash; RangeError for a negative or non-integer size.
 */
export function kdfa(
  hashAlg: number,
  key: Uint8Array,
  label: string,
  contextU: Uint8Array,
  contextV: Uint8Array,
  bits: number,
): Buffer {
  const { nodeName, digestSize } = hashInfo(hashAlg);
  const bytes = checkBits(bits);
  const labelBytes = labelOctets(label);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(bits);
  const out = counterMode(bytes, digestSize, (counter) =>
    createHmac(nodeName, key)
      .update(counter)
      .update(labelBytes)
      .update(contextU)
      .update(contextV)
      .update(size)
      .digest(),
  );
  return maskLeadingBits(out, bits);
}

/**
 * KDFe, Part 1 §11.4.10.3: the SP 800-56A concatenation KDF over the ECDH shared secret Z,
 * K(i) = H([i]32 || Z || label || 0x00 || partyUInfo || partyVInfo), truncated to `bits` bits.
 * @param z the x-coordinate of the shared point, full field size.
 * @throws TpmError TPM_RC_HASH for an unknown hash; RangeError for a negative or non-integer size.
 */
export function kdfe(
  hashAlg: number,
  z: Uint8Array,
  label: string,
  partyUInfo: Uint8Array,
  partyVInfo: Uint8Array,
  bits: number,
): Buffer {
  const { nodeName, digestSize } = hashInfo(hashAlg);
  const bytes = checkBits(bits);
  const labelBytes = labelOctets(label);
  const out = counterMode(bytes, digestSize, (counter) =>
    createHash(nodeName).update(counter).update(z).update(labelBytes).update(partyUInfo).update(partyVInfo).digest(),
  );
  return maskLeadingBits(out, bits);
}
