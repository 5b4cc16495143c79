import {
  TPMA_OBJECT,
  TPMT_PUBLIC,
  TPM_ALG,
  TPM_RC,
  decryptSeed,
  marshal,
  type TPMT_SENSITIVE,
} from "../../../tpm2/index.js";
import { privateKeyObject } from "../../keys.js";
import { isParent } from "../../object-create.js";
import { wrapPrivate } from "../../object-protection.js";
import { objectName } from "../../objects.js";
import { blame } from "../object/blame.js";
import { checkObjectToLoad } from "../object/load-checks.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { duplicateToSensitive, type OuterProtection } from "./duplication-wrap.js";
import { protectionKeyBits } from "./storage-parent.js";

/** Part 1 §24: the label of a duplication seed. */
const DUPLICATE_LABEL = "DUPLICATE";

/**
 * Part 3 §13.3 TPM2_Import: a duplicate made for this parent (TPM2_Duplicate, or by software) becomes a private
 * area the parent can load. The outer wrap's seed is decrypted with the parent's private key; a symmetric parent
 * takes only duplicates without an outer wrap. encryptedDuplication objects need both wraps.
 * RCs: TPM_RC_ATTRIBUTES + P2 (fixedTPM or fixedParent), TPM_RC_TYPE + H1 (not a storage parent, or a symmetric
 * parent with a seed), TPM_RC_SIZE + P1 (key size), TPM_RC_ATTRIBUTES + P1 / P4 (encryptedDuplication without
 * inner or outer wrap), seed decryption codes + P4, TPM_RC_HASH + P2 (no nameAlg), TPM_RC_INTEGRITY + P3 and the
 * unmarshal codes + P3 (duplicate), the load checks of the public (P2) and sensitive (P3) areas.
 */
export const importObject = defineCommand("Import", (tpm, { handles, params }) => {
  const { encryptionKey, objectPublic, duplicate, inSymSeed, symmetricAlg } = params;
  const attrs = objectPublic.objectAttributes;
  if (attrs & (TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent)) throw paramError(TPM_RC.ATTRIBUTES, 2);
  const parent = tpm.requireObject(handles[0]!);
  if (!isParent(parent)) throw handleError(TPM_RC.TYPE, 1);
  const encryptedDuplication = (attrs & TPMA_OBJECT.encryptedDuplication) !== 0;
  if (symmetricAlg.algorithm !== TPM_ALG.NULL) {
    if (encryptionKey.length !== (symmetricAlg.keyBits ?? 0) / 8) throw paramError(TPM_RC.SIZE, 1);
  } else {
    if (encryptionKey.length !== 0) throw paramError(TPM_RC.SIZE, 1);
    if (encryptedDuplication) throw paramError(TPM_RC.ATTRIBUTES, 1);
  }
  let outer: OuterProtection | undefined;
  if (inSymSeed.length !== 0) {
    if (parent.publicArea.type === TPM_ALG.SYMCIPHER) throw handleError(TPM_RC.TYPE, 1);
    const seed = blame(4, () => decryptSeed(parent.publicArea, privateKeyObject(parent), DUPLICATE_LABEL, inSymSeed));
    outer = { hashAlg: parent.publicArea.nameAlg, keyBits: protectionKeyBits(parent), seed };
  } else if (encryptedDuplication) {
    throw paramError(TPM_RC.ATTRIBUTES, 4);
  }
  if (objectPublic.nameAlg === TPM_ALG.NULL) throw paramError(TPM_RC.HASH, 2);
  const name = objectName(objectPublic, marshal(TPMT_PUBLIC, objectPublic));
  const inner = symmetricAlg.algorithm === TPM_ALG.NULL ? undefined : { nameAlg: objectPublic.nameAlg, key: encryptionKey };
  const sensitive: TPMT_SENSITIVE = blame(3, () => duplicateToSensitive(duplicate, name, inner, outer));
  if (parent.publicArea.objectAttributes & TPMA_OBJECT.fixedTPM) {
    checkObjectToLoad(undefined, objectPublic, sensitive, { publicArea: 2, sensitive: 3 });
  }
  return { response: { outPrivate: wrapPrivate(parent, name, sensitive) } };
});
