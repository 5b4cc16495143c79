import { TPMA_OBJECT, TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { makeObject } from "../../objects.js";
import { defineCommand, paramError } from "../registry.js";
import { checkObjectToLoad } from "./load-checks.js";

const HIERARCHIES: ReadonlySet<number> = new Set([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL]);
/** An external key with a private part must not pass for one this TPM made (Part 3 §12.3). */
const TPM_MADE = TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.restricted;

/**
 * Part 3 §12.3 TPM2_LoadExternal: loads a public key, or a key pair in the null hierarchy, that this TPM did not
 * create. Its qualified name is its Name (it has no parent).
 * RCs: TPM_RC_OBJECT_MEMORY, TPM_RC_VALUE / TPM_RC_HIERARCHY (hierarchy, parameter 3: not a hierarchy,
 * disabled, or not TPM_RH_NULL with a private part), TPM_RC_ATTRIBUTES (private part with fixedTPM, fixedParent
 * or restricted), TPM_RC_KEY / TPM_RC_ECC_POINT / TPM_RC_SCHEME... (inPublic), TPM_RC_TYPE / TPM_RC_KEY_SIZE /
 * TPM_RC_SIZE (inPrivate), TPM_RC_BINDING.
 */
export const loadExternal = defineCommand("LoadExternal", (tpm, { params }) => {
  if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
  const { inPrivate, inPublic, hierarchy } = params;
  if (!HIERARCHIES.has(hierarchy)) throw paramError(TPM_RC.VALUE, 3);
  if (!tpm.hierarchy(hierarchy)?.enabled) throw paramError(TPM_RC.HIERARCHY, 3);
  if (inPrivate) {
    if (hierarchy !== TPM_RH.NULL) throw paramError(TPM_RC.HIERARCHY, 3);
    if (inPublic.objectAttributes & TPM_MADE) throw paramError(TPM_RC.ATTRIBUTES, 2);
  }
  checkObjectToLoad(undefined, inPublic, inPrivate, { publicArea: 2, sensitive: 1 });

  const object = makeObject(inPublic, inPrivate, hierarchy, new Uint8Array());
  object.qualifiedName = object.name;
  return { handle: tpm.objects.add(object), response: { name: object.name } };
});
