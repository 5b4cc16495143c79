import { TPMT_PUBLIC, TPM_ALG, TPM_RC, TpmError, marshal } from "../../../tpm2/index.js";
import { isParent, isStClear, markStClear } from "../../object-create.js";
import { unwrapPrivate } from "../../object-protection.js";
import { makeObject, objectName } from "../../objects.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { blame } from "./blame.js";
import { checkObjectToLoad } from "./load-checks.js";

/**
 * Part 3 §12.2 TPM2_Load: loads an object created under the parent; the private area must pass the parent's
 * integrity check for exactly this public area.
 * RCs: TPM_RC_OBJECT_MEMORY, TPM_RC_SIZE (empty inPrivate), TPM_RC_TYPE (handle 1 not a storage parent),
 * TPM_RC_HASH (inPublic without nameAlg), TPM_RC_INTEGRITY (inPrivate tampered or not for this public area or
 * parent), TPM_RC_SENSITIVE, TPM_RC_KEY_SIZE (inPrivate), the attribute/scheme codes (inPublic).
 */
export const load = defineCommand("Load", (tpm, { handles, params }) => {
  if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
  const { inPrivate, inPublic } = params;
  if (inPrivate.length === 0) throw paramError(TPM_RC.SIZE, 1);
  const parent = tpm.requireObject(handles[0]!);
  if (!isParent(parent)) throw handleError(TPM_RC.TYPE, 1);
  if (inPublic.nameAlg === TPM_ALG.NULL) throw paramError(TPM_RC.HASH, 2);
  const name = objectName(inPublic, marshal(TPMT_PUBLIC, inPublic));
  const sensitive = blame(1, () => unwrapPrivate(parent, name, inPrivate));
  checkObjectToLoad(parent, inPublic, sensitive, { publicArea: 2, sensitive: 1 });

  const object = makeObject(inPublic, sensitive, parent.hierarchy, parent.qualifiedName);
  if (isStClear(parent)) markStClear(object);
  return { handle: tpm.objects.add(object), response: { name: object.name } };
});
