import { TPM_RC, policyCommandCodeDigest } from "../../../tpm2/index.js";
// A cycle by design: whether a command is implemented is a question about the table this command is part of.
import { COMMAND_TABLE } from "../index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { policySessionAt } from "./policy-session.js";

/**
 * Part 3 §23.11 TPM2_PolicyCommandCode: the session may only authorize command `code`.
 * RCs: TPM_RC_VALUE (handle 1 not a policy session; parameter 1: the session is already limited to another
 * command), TPM_RC_POLICY_CC (parameter 1: not a command this TPM implements).
 */
export const policyCommandCode = defineCommand("PolicyCommandCode", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const { code } = params;
  if (session.commandCode !== undefined && session.commandCode !== code) throw paramError(TPM_RC.VALUE, 1);
  if (!COMMAND_TABLE.has(code)) throw paramError(TPM_RC.POLICY_CC, 1);
  session.policyDigest = policyCommandCodeDigest(session.authHash, session.policyDigest, code);
  session.commandCode = code;
  return NO_RESPONSE;
});
