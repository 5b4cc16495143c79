import { TPM_ALG, TPM_CC, TPM_RC } from "../../../tpm2/index.js";
// A cycle by design: which commands can be audited is a question about the table this command is part of.
import { COMMAND_TABLE } from "../index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { commandAudit, setAudited } from "./audit-state.js";

/**
 * Part 3 §21.2 TPM2_SetCommandCodeAuditStatus: either a new command audit hash (auditAlg not NULL, both lists empty)
 * or commands added to and removed from the audit list. A new hash empties the digest, so this command (always
 * audited) starts a new one and the audit counter moves, as libtpms does. Commands this TPM does not implement are
 * ignored, and TPM2_SetCommandCodeAuditStatus itself stays audited.
 * RCs: TPM_RC_VALUE (H1: not owner or platform; P1: auditAlg with a non-empty list), TPM_RC_HASH (P1).
 */
export const setCommandCodeAuditStatus = defineCommand(
  "SetCommandCodeAuditStatus",
  (tpm, { params }) => {
    const { auditAlg, setList, clearList } = params;
    const record = commandAudit(tpm);
    if (auditAlg !== TPM_ALG.NULL && auditAlg !== record.hashAlg) {
      if (setList.length !== 0 || clearList.length !== 0) throw paramError(TPM_RC.VALUE, 1);
      record.hashAlg = auditAlg;
      record.digest = undefined;
      return NO_RESPONSE;
    }
    for (const cc of setList) if (COMMAND_TABLE.has(cc)) setAudited(tpm, cc, true);
    for (const cc of clearList) if (cc !== TPM_CC.SetCommandCodeAuditStatus) setAudited(tpm, cc, false);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
