import { createHash, createHmac } from "node:crypto";
import { TPM_ALG, TPM_RC } from "../constants.js";
import { TpmError } from "../errors.js";

/** What the TPM needs to know about one hash algorithm (Part 2 §6.3, Part 1 §11.4.2). */
export interface HashInfo {
  /** The TPM_ALG_ID. */
  readonly alg: number;
  /** The algorithm name node:crypto understands. */
  readonly nodeName: string;
  /** Digest size in octets. */
  readonly digestSize: number;
  /** Block size in octets (the HMAC key block of Part 1 §11.4.4). */
  readonly blockSize: number;
}

const HASHES: ReadonlyMap<number, HashInfo> = new Map(
  [
    { alg: TPM_ALG.SHA1, nodeName: "sha1", digestSize: 20, blockSize: 64 },
    { alg: TPM_ALG.SHA256, nodeName: "sha256", digestSize: 32, blockSize: 64 },
    { alg: TPM_ALG.SHA384, nodeName: "sha384", digestSize: 48, blockSize: 128 },
    { alg: TPM_ALG.SHA512, nodeName: "sha512", digestSize: 64, blockSize: 128 },
  ].map((info) => [info.alg, info]),
);

/** True when `alg` is a hash algorithm this library implements (SHA-1, SHA-256, SHA-384, SHA-512). */
export function isHashAlg(alg: number): boolean {
  return HASHES.has(alg);
}

/**
 * The registry entry of a hash algorithm.
 * @throws TpmError TPM_RC_HASH when `alg` is not an implemented hash (TPM_ALG_NULL included).
 */
export function hashInfo(alg: number): HashInfo {
  const info = HASHES.get(alg);
  if (info === undefined) {
    throw new TpmError(TPM_RC.HASH, { message: `unsupported hash algorithm 0x${alg.toString(16).padStart(4, "0")}` });
  }
  return info;
}

/** Digest size in octets of hash `alg`. @throws TpmError TPM_RC_HASH for an unknown algorithm. */
export function digestSize(alg: number): number {
  return hashInfo(alg).digestSize;
}

/** H(parts[0] || parts[1] || …) with hash `alg`. */
export function hashDigest(alg: number, ...parts: readonly Uint8Array[]): Buffer {
  const h = createHash(hashInfo(alg).nodeName);
  for (const part of parts) h.update(part);
  return h.digest();
}

/** HMAC_alg(key, parts[0] || parts[1] || …) (Part 1 §11.4.4). */
export function hmac(alg: number, key: Uint8Array, ...parts: readonly Uint8Array[]): Buffer {
  const h = createHmac(hashInfo(alg).nodeName, key);
  for (const part of parts) h.update(part);
  return h.digest();
}
