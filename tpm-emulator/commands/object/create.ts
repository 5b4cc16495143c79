import { TPM_RC, TpmError } from "../../../tpm2/index.js";
import { adjustAuthSize, createChecks, createOrdinaryObject, isParent } from "../../object-create.js";
import { wrapPrivate } from "../../object-protection.js";
import { creationTicket } from "../../tickets.js";
import { defineCommand, handleError } from "../registry.js";
import { blame } from "./blame.js";
import { fillCreationData } from "./creation-data.js";

/**
 * Part 3 §12.1 TPM2_Create: a new ordinary object under a loaded storage parent, returned wrapped in the
 * parent's protection (TPM2B_PRIVATE) and not loaded.
 * RCs: TPM_RC_TYPE (handle 1 not a storage parent), TPM_RC_OBJECT_MEMORY (no slot to build it in, as the
 * reference), TPM_RC_ATTRIBUTES / TPM_RC_HASH / TPM_RC_SCHEME / TPM_RC_SYMMETRIC / TPM_RC_KDF / TPM_RC_SIZE
 * (inPublic), TPM_RC_SIZE (inSensitive userAuth), TPM_RC_RANGE (RSA exponent), TPM_RC_KEY_SIZE, TPM_RC_SIZE.
 */
export const create = defineCommand("Create", (tpm, { handles, params }) => {
  const parentHandle = handles[0]!;
  const parent = tpm.requireObject(parentHandle);
  if (!isParent(parent)) throw handleError(TPM_RC.TYPE, 1);
  if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
  const { inSensitive, inPublic, outsideInfo, creationPCR } = params;
  blame(2, () => createChecks(parent, inPublic, inSensitive.data.length));
  const userAuth = blame(1, () => adjustAuthSize(inSensitive.userAuth, inPublic.nameAlg));

  const object = createOrdinaryObject(tpm, parent, inPublic, userAuth, inSensitive.data);
  const { creationData, creationHash } = fillCreationData(
    tpm,
    parentHandle,
    parent,
    inPublic.nameAlg,
    creationPCR,
    outsideInfo,
  );
  return {
    response: {
      outPrivate: wrapPrivate(parent, object.name, object.sensitive!),
      outPublic: object.publicArea,
      creationData,
      creationHash,
      creationTicket: creationTicket(tpm, parent.hierarchy, creationHash, object.name),
    },
  };
});
