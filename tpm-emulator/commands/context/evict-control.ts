import { TPM_HC, TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { isStClear, isTemporary } from "../../object-create.js";
import { NO_RESPONSE, defineCommand, handleError, paramError } from "../registry.js";

function isPlatformPersistent(handle: number): boolean {
  return handle >= TPM_HC.PLATFORM_PERSISTENT && handle <= TPM_HC.PERSISTENT_LAST;
}

function isOwnerPersistent(handle: number): boolean {
  return handle >= TPM_HC.PERSISTENT_FIRST && handle < TPM_HC.PLATFORM_PERSISTENT;
}

/**
 * Part 3 §28.5 TPM2_EvictControl: makes a loaded object persistent at persistentHandle (owner range
 * 0x81000000–0x817FFFFF with ownerAuth, platform range 0x81800000–0x81FFFFFF with platformAuth), or removes a
 * persistent object (objectHandle = persistentHandle).
 * RCs: TPM_RC_VALUE (handle 1 neither owner nor platform; persistentHandle not persistent), TPM_RC_ATTRIBUTES
 * (handle 2 temporary, stClear or public-only), TPM_RC_HANDLE (handle 2 persistent at another handle),
 * TPM_RC_HIERARCHY (handle 2 in a hierarchy auth may not manage), TPM_RC_RANGE (parameter 1 outside auth's
 * range), TPM_RC_NV_DEFINED (taken), TPM_RC_NV_SPACE (no room).
 */
export const evictControl = defineCommand(
  "EvictControl",
  (tpm, { handles, params }) => {
    const [auth, objectHandle] = handles as [number, number];
    const { persistentHandle } = params;
    if (auth !== TPM_RH.OWNER && auth !== TPM_RH.PLATFORM) throw handleError(TPM_RC.VALUE, 1);
    if (!tpm.isPersistentHandle(persistentHandle)) throw paramError(TPM_RC.VALUE, 1);
    const object = tpm.requireObject(objectHandle);
    if (isTemporary(object) || isStClear(object) || !object.sensitive) throw handleError(TPM_RC.ATTRIBUTES, 2);
    const evicted = object.persistentHandle !== undefined;
    if (evicted && object.persistentHandle !== persistentHandle) throw handleError(TPM_RC.HANDLE, 2);
    const platformObject = object.hierarchy === TPM_RH.PLATFORM;
    if (auth === TPM_RH.PLATFORM) {
      // platformAuth may remove any persistent object, but persist only platform ones in its range
      if (!evicted && !platformObject) throw handleError(TPM_RC.HIERARCHY, 2);
      if (!evicted && !isPlatformPersistent(persistentHandle)) throw paramError(TPM_RC.RANGE, 1);
    } else {
      if (platformObject) throw handleError(TPM_RC.HIERARCHY, 2);
      if (!evicted && !isOwnerPersistent(persistentHandle)) throw paramError(TPM_RC.RANGE, 1);
    }

    if (evicted) {
      tpm.removePersistent(persistentHandle);
      return NO_RESPONSE;
    }
    if (tpm.persistentObjects.has(persistentHandle)) throw new TpmError(TPM_RC.NV_DEFINED);
    if (tpm.persistentObjects.size >= tpm.limits.persistentObjects) throw new TpmError(TPM_RC.NV_SPACE);
    tpm.addPersistent(persistentHandle, object);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
