import { createHash, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "../../protocol/index.js";

/** What the service keeps of a credential secret: its SHA-256 (the secret itself is never stored). */
export function secretHashOf(secret: Uint8Array): Buffer {
  return createHash("sha256").update(secret).digest();
}

/**
 * The secret the device returns must be the one MakeCredential wrapped for its AK: only the TPM holding both the
 * EK and an AK of that Name can activate it (Part 1 §24). Compared in constant time, as hashes of equal length.
 * @throws ProtocolError CREDENTIAL_MISMATCH
 */
export function checkActivatedSecret(activated: Uint8Array, expectedHash: Uint8Array): void {
  const given = secretHashOf(activated);
  if (expectedHash.length !== given.length || !timingSafeEqual(given, expectedHash)) {
    throw new ProtocolError("CREDENTIAL_MISMATCH");
  }
}
