import { TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, selectSignScheme, signerAt } from "../../keys.js";
import { defineCommand, handleError } from "../registry.js";
import { auditState } from "./audit-state.js";

/**
 * Part 3 §18.3 TPM2_GetSessionAuditDigest: a TPMS_SESSION_AUDIT_INFO (whether the session is the exclusive audit
 * session, and its audit digest) signed by signHandle.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_ENDORSEMENT; H2: not an object or TPM_RH_NULL; H3: not an HMAC session),
 * TPM_RC_KEY (H2: not a signing key), TPM_RC_TYPE (H3: the session was never used for audit), TPM_RC_SCHEME (P2).
 */
export const getSessionAuditDigest = defineCommand("GetSessionAuditDigest", (tpm, { handles, params }) => {
  const sessionHandle = handles[2]!;
  const session = tpm.sessions.loaded(sessionHandle);
  if (!session) throw handleError(TPM_RC.HANDLE, 3);
  if (!session.isAudit) throw handleError(TPM_RC.TYPE, 3);
  const signer = signerAt(tpm, handles[1]!, 2);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 2);
  const scheme = selectSignScheme(signer, params.inScheme, 2);
  const attested = {
    exclusiveSession: auditState(tpm).exclusiveSession === sessionHandle,
    sessionDigest: Buffer.from(session.auditDigest ?? Buffer.alloc(0)),
  };
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
    type: TPM_ST.ATTEST_SESSION_AUDIT,
    attested,
  });
  return { response: { auditInfo: attestBytes, signature } };
});
