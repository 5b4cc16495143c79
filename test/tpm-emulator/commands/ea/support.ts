/** Helpers for the enhanced-authorization specs: policy digests computed on our side, and NV indices to guard. */
import { createHash } from "node:crypto";
import { TPM_ALG, TPM_RH, TPMA_NV, pw } from "../../../../tpm2/index.js";
import { EMPTY, u32, type StartedTpm } from "../session/support.js";

export const EK_POLICY = "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa";
export const GUARDED_INDEX = 0x01500030;

/** H_SHA256 of the parts concatenated. */
export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Part 3 §23.2.3 PolicyUpdate for SHA-256: H(H(old || cc || arg2) || arg3). */
export function policyUpdate(old: Uint8Array, cc: number, arg2: Uint8Array, arg3: Uint8Array): Buffer {
  return sha256(sha256(old, u32(cc), arg2), arg3);
}

/**
 * Defines GUARDED_INDEX (8 octets, owner-created, no DA) that only policy `authPolicy` may read and write, with
 * authValue `auth`, and fills it with `contents` through the owner.
 */
export async function defineGuardedIndex(
  t: StartedTpm,
  authPolicy: Uint8Array,
  opts: { auth?: Buffer; extraAttributes?: number; contents?: Buffer } = {},
): Promise<void> {
  const attributes =
    TPMA_NV.POLICYREAD | TPMA_NV.POLICYWRITE | TPMA_NV.OWNERREAD | TPMA_NV.OWNERWRITE | TPMA_NV.NO_DA | (opts.extraAttributes ?? 0);
  await t.client.run("NV_DefineSpace", {
    handles: [TPM_RH.OWNER],
    auths: [pw()],
    params: {
      auth: opts.auth ?? EMPTY,
      publicInfo: { nvIndex: GUARDED_INDEX, nameAlg: TPM_ALG.SHA256, attributes, authPolicy, dataSize: 8 },
    },
  });
  await t.client.run("NV_Write", {
    handles: [TPM_RH.OWNER, GUARDED_INDEX],
    auths: [pw()],
    params: { data: opts.contents ?? Buffer.from("guarded!"), offset: 0 },
  });
}
