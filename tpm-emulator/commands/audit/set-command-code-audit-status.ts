import { TPM_ALG, TPM_CC, TPM_RC } from "../../../tpm2/index.js";
// A cycle by design: which commands can be audited is a question about the table this command is part of.
import { COMMAND_TABLE } from "../index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { auditState } from "./audit-state.js";

/**
 * Part 3 §21.2 TPM2_SetCommandCodeAuditStatus: either a new command audit hash (auditAlg not NULL, both lists empty;
 * the digest is then emptied) or commands added to and removed from the audit list. Commands this TPM does not
 * implement are ignored, and TPM2_SetCommandCodeAuditStatus itself stays audited.
 * RCs: TPM_RC_VALUE (H1: not owner or platform; P1: auditAlg with a non-empty list), TPM_RC_HASH (P1).
 */
export const setCommandCodeAuditStatus = defineCommand(
  "SetCommandCodeAuditStatus",
  (tpm, { params }) => {
    const { auditAlg, setList, clearList } = params;
    const state = auditState(tpm);
    if (auditAlg !== TPM_ALG.NULL) {
      if (setList.length !== 0 || clearList.length !== 0) throw paramError(TPM_RC.VALUE, 1);
      if (state.hashAlg !== auditAlg) {
        state.hashAlg = auditAlg;
        state.hashChanged = true;
      }
      return NO_RESPONSE;
    }
    for (const cc of setList) if (COMMAND_TABLE.has(cc)) state.commands.add(cc);
    for (const cc of clearList) if (cc !== TPM_CC.SetCommandCodeAuditStatus) state.commands.delete(cc);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
