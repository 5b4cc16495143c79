import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RH, TpmError, encryptSeed } from "../../../tpm2/index.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { sensitiveToDuplicate, type OuterProtection } from "./duplication-wrap.js";
import { isStorageKey, protectionKeyBits } from "./storage-parent.js";

const EMPTY = Buffer.alloc(0);
/** Part 1 §24: the label of a duplication seed. */
const DUPLICATE_LABEL = "DUPLICATE";

/**
 * Part 3 §13.1 TPM2_Duplicate: the object's sensitive area for a new parent — under an outer wrap keyed from a
 * seed encrypted to the new parent (none for TPM_RH_NULL) and, when symmetricAlg is not NULL, an inner wrap with
 * the caller's key or one the TPM chooses and returns. encryptedDuplication objects need both wraps.
 * RCs: TPM_RC_VALUE + H1/H2 (not objects), TPM_RC_ATTRIBUTES + H1 (fixedParent), TPM_RC_TYPE + H1 (no nameAlg
 * or no sensitive area), TPM_RC_TYPE + H2 (not an RSA/ECC storage key), TPM_RC_SYMMETRIC + P2 and
 * TPM_RC_HIERARCHY + H2 (encryptedDuplication without inner wrap or new parent), TPM_RC_SIZE + P1 (key size),
 * TPM_RC_KEY (new parent's public point unusable).
 */
export const duplicate = defineCommand("Duplicate", (tpm, { handles, params }) => {
  const object = tpm.requireObject(handles[0]!);
  const newParentHandle = handles[1]!;
  const newParent = newParentHandle === TPM_RH.NULL ? undefined : tpm.requireObject(newParentHandle);
  const pub = object.publicArea;
  if (pub.objectAttributes & TPMA_OBJECT.fixedParent) throw handleError(TPM_RC.ATTRIBUTES, 1);
  if (pub.nameAlg === TPM_ALG.NULL || !object.sensitive) throw handleError(TPM_RC.TYPE, 1);
  if (newParent && !isStorageKey(newParent)) throw handleError(TPM_RC.TYPE, 2);
  const { encryptionKeyIn, symmetricAlg } = params;
  if (pub.objectAttributes & TPMA_OBJECT.encryptedDuplication) {
    if (symmetricAlg.algorithm === TPM_ALG.NULL) throw paramError(TPM_RC.SYMMETRIC, 2);
    if (!newParent) throw handleError(TPM_RC.HIERARCHY, 2);
  }
  const innerBytes = symmetricAlg.algorithm === TPM_ALG.NULL ? 0 : (symmetricAlg.keyBits ?? 0) / 8;
  if (innerBytes === 0 ? encryptionKeyIn.length !== 0 : encryptionKeyIn.length !== 0 && encryptionKeyIn.length !== innerBytes) {
    throw paramError(TPM_RC.SIZE, 1);
  }

  let outer: OuterProtection | undefined;
  let outSymSeed: Buffer = EMPTY;
  if (newParent) {
    let shared: { seed: Buffer; secret: Buffer };
    try {
      shared = encryptSeed(newParent.publicArea, DUPLICATE_LABEL);
    } catch {
      throw new TpmError(TPM_RC.KEY);
    }
    outSymSeed = shared.secret;
    outer = { hashAlg: newParent.publicArea.nameAlg, keyBits: protectionKeyBits(newParent), seed: shared.seed };
  }
  const innerKey = innerBytes === 0 ? EMPTY : encryptionKeyIn.length !== 0 ? Buffer.from(encryptionKeyIn) : tpm.random(innerBytes);
  const inner = innerBytes === 0 ? undefined : { nameAlg: pub.nameAlg, key: innerKey };
  return {
    response: {
      encryptionKeyOut: innerKey,
      duplicate: sensitiveToDuplicate(object.sensitive, object.name, inner, outer),
      outSymSeed,
    },
  };
});
