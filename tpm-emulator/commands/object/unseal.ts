import { TPMA_OBJECT, TPM_ALG, TPM_RC } from "../../../tpm2/index.js";
import { defineCommand, handleError } from "../registry.js";

/**
 * Part 3 §12.7 TPM2_Unseal: the data of a sealed object (a KEYEDHASH object that can neither sign nor decrypt).
 * RCs: TPM_RC_TYPE (not KEYEDHASH), TPM_RC_ATTRIBUTES (decrypt, sign or restricted set) — both on handle 1.
 */
export const unseal = defineCommand("Unseal", (tpm, { handles }) => {
  const object = tpm.requireObject(handles[0]!);
  const pub = object.publicArea;
  if (pub.type !== TPM_ALG.KEYEDHASH) throw handleError(TPM_RC.TYPE, 1);
  if (pub.objectAttributes & (TPMA_OBJECT.decrypt | TPMA_OBJECT.sign | TPMA_OBJECT.restricted)) {
    throw handleError(TPM_RC.ATTRIBUTES, 1);
  }
  // a public-only object (LoadExternal) has nothing to unseal
  if (!object.sensitive) throw handleError(TPM_RC.ATTRIBUTES, 1);
  return { response: { outData: object.sensitive.sensitive } };
});
