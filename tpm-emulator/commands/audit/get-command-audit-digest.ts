import { TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, selectSignScheme, signerAt } from "../../keys.js";
import { defineCommand, handleError } from "../registry.js";
import { commandAudit, commandListDigest } from "./audit-state.js";

/**
 * Part 3 §18.5 TPM2_GetCommandAuditDigest: a TPMS_COMMAND_AUDIT_INFO (audit counter, hash, command audit digest and
 * the digest of the audited command list) signed by signHandle; the command audit digest then starts over.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_ENDORSEMENT; H2: not an object or TPM_RH_NULL), TPM_RC_KEY (H2: not a signing
 * key), TPM_RC_SCHEME (P2).
 */
export const getCommandAuditDigest = defineCommand(
  "GetCommandAuditDigest",
  (tpm, { handles, params }) => {
    const signer = signerAt(tpm, handles[1]!, 2);
    if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 2);
    const scheme = selectSignScheme(signer, params.inScheme, 2);
    const state = commandAudit(tpm);
    const attested = {
      auditCounter: state.counter,
      digestAlg: state.hashAlg,
      auditDigest: state.digest ?? Buffer.alloc(0),
      commandDigest: commandListDigest(tpm),
    };
    const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
      type: TPM_ST.ATTEST_COMMAND_AUDIT,
      attested,
    });
    state.digest = undefined;
    return { response: { auditInfo: attestBytes, signature } };
  },
  { writesNv: true },
);
