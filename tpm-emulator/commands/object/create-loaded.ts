import { TPMT_PUBLIC, TPM_ALG, TPM_HT, TPM_RC, TpmError, unmarshal, type TPMT_PUBLIC as Public } from "../../../tpm2/index.js";
import { adjustAuthSize, createChecks, createOrdinaryObject, derivePrimaryObject, isParent } from "../../object-create.js";
import { wrapPrivate } from "../../object-protection.js";
import type { TpmObject } from "../../objects.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { blame } from "./blame.js";

const EMPTY = Buffer.alloc(0);

/**
 * Part 3 §12.9 TPM2_CreateLoaded: TPM2_CreatePrimary under a hierarchy, or TPM2_Create followed by TPM2_Load under
 * a storage parent, in one command; the template is a TPM2B_TEMPLATE. An object under a parent also comes back
 * wrapped (outPrivate); a primary one does not. Derivation parents (restricted KEYEDHASH decryption keys) are not
 * implemented: they are refused like any other non-parent.
 * RCs: TPM_RC_VALUE + H1 (not a hierarchy or object), TPM_RC_TYPE + H1 (not a storage parent),
 * TPM_RC_OBJECT_MEMORY, unmarshal codes + P2 (template), TPM_RC_HASH + P2 (no nameAlg), TPM_RC_SIZE + P1
 * (userAuth), the template checks of TPM2_Create + P2, TPM_RC_RANGE / TPM_RC_KEY_SIZE / TPM_RC_SIZE (generation).
 */
export const createLoaded = defineCommand("CreateLoaded", (tpm, { handles, params }) => {
  const parentHandle = handles[0]!;
  const top = parentHandle >>> 24;
  let parent: TpmObject | undefined;
  if (top === TPM_HT.TRANSIENT || top === TPM_HT.PERSISTENT) {
    parent = tpm.requireObject(parentHandle);
    if (!isParent(parent)) throw handleError(TPM_RC.TYPE, 1);
  } else if (!tpm.hierarchy(parentHandle)) {
    throw handleError(TPM_RC.VALUE, 1);
  }
  if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
  const inPublic: Public = blame(2, () => unmarshal(TPMT_PUBLIC, params.inPublic));
  if (inPublic.nameAlg === TPM_ALG.NULL) throw paramError(TPM_RC.HASH, 2);
  const { userAuth, data } = params.inSensitive;
  const auth = blame(1, () => adjustAuthSize(userAuth, inPublic.nameAlg));
  blame(2, () => createChecks(parent, inPublic, data.length));

  let object: TpmObject;
  let outPrivate: Buffer = EMPTY;
  if (parent) {
    object = createOrdinaryObject(tpm, parent, inPublic, auth, data);
    outPrivate = wrapPrivate(parent, object.name, object.sensitive!);
  } else {
    object = derivePrimaryObject(tpm, parentHandle, inPublic, auth, data);
  }
  const handle = tpm.objects.add(object);
  return { handle, response: { outPrivate, outPublic: object.publicArea, name: object.name } };
});
