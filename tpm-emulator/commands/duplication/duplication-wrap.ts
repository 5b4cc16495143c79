/**
 * Duplication blobs (Part 1 §23.3, ms-tpm-20-ref SensitiveToDuplicate / DuplicateToSensitive): the marshalled
 * TPM2B_SENSITIVE, optionally under an inner wrap (integrity H_nameAlg(sensitive ‖ Name), AES-CFB with a caller
 * or TPM chosen key and a zero IV) and then an outer wrap keyed from a seed shared with the new parent
 * (symKey = KDFa(pNameAlg, seed, "STORAGE", Name, ε), HMAC key = KDFa(pNameAlg, seed, "INTEGRITY", ε, ε),
 * integrity = HMAC(encrypted ‖ Name)).
 */
import { timingSafeEqual } from "node:crypto";
import {
  Reader,
  TPM2B_DIGEST,
  TPMT_SENSITIVE,
  TPM_RC,
  TpmError,
  aesCfbDecrypt,
  aesCfbEncrypt,
  digestSize,
  hashDigest,
  hmac,
  kdfa,
  marshal,
  unmarshal,
  type TPMT_SENSITIVE as Sensitive,
} from "../../../tpm2/index.js";

const EMPTY = Buffer.alloc(0);
const ZERO_IV = Buffer.alloc(16);

/** The outer protection: the new parent's nameAlg and symmetric key size, and the shared seed. */
export interface OuterProtection {
  hashAlg: number;
  keyBits: number;
  seed: Uint8Array;
}

/** The inner protection: the object's nameAlg and the symmetric key (its size picks AES-128/192/256). */
export interface InnerProtection {
  nameAlg: number;
  key: Uint8Array;
}

function sizedBytes(data: Uint8Array): Buffer {
  const size = Buffer.alloc(2);
  size.writeUInt16BE(data.length);
  return Buffer.concat([size, data]);
}

function outerKeys(outer: OuterProtection, name: Uint8Array): { symKey: Buffer; hmacKey: Buffer } {
  return {
    symKey: kdfa(outer.hashAlg, outer.seed, "STORAGE", name, EMPTY, outer.keyBits),
    hmacKey: kdfa(outer.hashAlg, outer.seed, "INTEGRITY", EMPTY, EMPTY, digestSize(outer.hashAlg) * 8),
  };
}

/** Reads the leading TPM2B_DIGEST of a blob; the rest follows it. */
function splitIntegrity(blob: Uint8Array): { integrity: Buffer; rest: Buffer } {
  const r = new Reader(blob);
  const integrity = Buffer.from(TPM2B_DIGEST.read(r));
  return { integrity, rest: Buffer.from(blob.subarray(r.offset)) };
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** SensitiveToDuplicate: the duplicate of `sensitive` for the object named `name`. */
export function sensitiveToDuplicate(
  sensitive: Sensitive,
  name: Uint8Array,
  inner: InnerProtection | undefined,
  outer: OuterProtection | undefined,
): Buffer {
  let blob: Buffer = sizedBytes(marshal(TPMT_SENSITIVE, sensitive));
  if (inner) {
    const integrity = hashDigest(inner.nameAlg, blob, name);
    blob = aesCfbEncrypt(inner.key, ZERO_IV, Buffer.concat([sizedBytes(integrity), blob]));
  }
  if (outer) {
    const { symKey, hmacKey } = outerKeys(outer, name);
    const encrypted = aesCfbEncrypt(symKey, ZERO_IV, blob);
    blob = Buffer.concat([sizedBytes(hmac(outer.hashAlg, hmacKey, encrypted, name)), encrypted]);
  }
  return blob;
}

/**
 * DuplicateToSensitive: the sensitive area of a duplicate, after the outer and inner integrity checks.
 * @throws TpmError TPM_RC_INTEGRITY (either integrity value wrong: other key, seed, Name or tampered data),
 *   TPM_RC_SIZE / TPM_RC_INSUFFICIENT and the TPMT_SENSITIVE unmarshal codes (malformed); no parameter number.
 */
export function duplicateToSensitive(
  duplicate: Uint8Array,
  name: Uint8Array,
  inner: InnerProtection | undefined,
  outer: OuterProtection | undefined,
): Sensitive {
  let blob: Buffer = Buffer.from(duplicate);
  if (outer) {
    const { integrity, rest } = splitIntegrity(blob);
    const { symKey, hmacKey } = outerKeys(outer, name);
    if (!sameDigest(integrity, hmac(outer.hashAlg, hmacKey, rest, name))) throw new TpmError(TPM_RC.INTEGRITY);
    blob = aesCfbDecrypt(symKey, ZERO_IV, rest);
  }
  if (inner) {
    const { integrity, rest } = splitIntegrity(aesCfbDecrypt(inner.key, ZERO_IV, blob));
    if (!sameDigest(integrity, hashDigest(inner.nameAlg, rest, name))) throw new TpmError(TPM_RC.INTEGRITY);
    blob = rest;
  }
  if (blob.length < 2) throw new TpmError(TPM_RC.INSUFFICIENT);
  if (blob.readUInt16BE(0) + 2 !== blob.length) throw new TpmError(TPM_RC.SIZE);
  return unmarshal(TPMT_SENSITIVE, blob.subarray(2));
}
