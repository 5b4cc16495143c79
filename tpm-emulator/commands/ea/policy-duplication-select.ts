import { TPM_CC, TPM_RC, TpmError, hashDigest } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy, isCpHashSlotUsed } from "./policy-update.js";

/**
 * Part 3 §23.15 TPM2_PolicyDuplicationSelect: the session may only authorize TPM2_Duplicate of this object (when
 * includeObject) to this new parent. nameHash = H(objectName || newParentName) whatever includeObject says (the
 * Duplicate command names both); digest:
 * H(old || TPM_CC_PolicyDuplicationSelect || [objectName ||] newParentName || includeObject).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session), TPM_RC_CPHASH (a cpHash, nameHash or templateHash is set),
 * TPM_RC_COMMAND_CODE (the session is already limited to a command).
 */
export const policyDuplicationSelect = defineCommand("PolicyDuplicationSelect", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { objectName, newParentName, includeObject } = params;
  if (isCpHashSlotUsed(session)) throw new TpmError(TPM_RC.CPHASH);
  if (session.commandCode !== undefined) throw new TpmError(TPM_RC.COMMAND_CODE);
  const names = includeObject ? [objectName, newParentName] : [newParentName];
  session.nameHash = hashDigest(session.authHash, objectName, newParentName);
  extendPolicy(session, TPM_CC.PolicyDuplicationSelect, ...names, Uint8Array.of(includeObject ? 1 : 0));
  session.commandCode = TPM_CC.Duplicate;
  return NO_RESPONSE;
});
