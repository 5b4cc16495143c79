import { TPM_RC } from "../../../tpm2/index.js";
import { adjustAuthSize } from "../../object-create.js";
import { wrapPrivate } from "../../object-protection.js";
import { qualifiedNameOf } from "../../objects.js";
import { sequenceOf } from "../sequence/sequence-objects.js";
import { defineCommand, handleError } from "../registry.js";
import { blame } from "./blame.js";

/**
 * Part 3 §12.7 TPM2_ObjectChangeAuth: the object's sensitive area with a new authValue, wrapped again under its
 * parent; the loaded object keeps its old authValue until the new private area is loaded.
 * RCs: TPM_RC_VALUE + H1/H2 (not objects), TPM_RC_TYPE + H1 (a sequence object), TPM_RC_SIZE + P1 (newAuth longer
 * than the nameAlg digest), TPM_RC_TYPE + H2 (parentHandle is not the object's parent).
 */
export const objectChangeAuth = defineCommand("ObjectChangeAuth", (tpm, { handles, params }) => {
  const object = tpm.requireObject(handles[0]!);
  if (sequenceOf(tpm, object) || !object.sensitive) throw handleError(TPM_RC.TYPE, 1);
  const nameAlg = object.publicArea.nameAlg;
  const newAuth = blame(1, () => adjustAuthSize(params.newAuth, nameAlg));
  // the reference's check that parentHandle is the parent: the object's qualified name must derive from it
  const parent = tpm.requireObject(handles[1]!);
  if (!qualifiedNameOf(nameAlg, parent.qualifiedName, object.name).equals(object.qualifiedName)) {
    throw handleError(TPM_RC.TYPE, 2);
  }
  return { response: { outPrivate: wrapPrivate(parent, object.name, { ...object.sensitive, authValue: newAuth }) } };
});
