import { TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, keyAt, selectSignScheme, signerAt } from "../../keys.js";
import { isCreationTicketValid, isTicketHierarchy } from "../../tickets.js";
import { defineCommand, handleError, paramError } from "../registry.js";

/**
 * Part 3 §18.3 TPM2_CertifyCreation: signHandle attests that this TPM created objectHandle with the given
 * creationHash, which the creation ticket from TPM2_Create/TPM2_CreatePrimary proves.
 * RCs: TPM_RC_VALUE + H1/H2 (not an object), TPM_RC_KEY + H1 (not a signing key), TPM_RC_SCHEME + P3,
 * TPM_RC_VALUE + P4 (ticket hierarchy), TPM_RC_TICKET + P4 (ticket not for this object and creationHash),
 * TPM_RC_SCHEME / TPM_RC_VALUE (signing).
 */
export const certifyCreation = defineCommand("CertifyCreation", (tpm, { handles, params }) => {
  const signer = signerAt(tpm, handles[0]!, 1);
  const certified = keyAt(tpm, handles[1]!, 2);
  if (!isTicketHierarchy(params.creationTicket.hierarchy)) throw paramError(TPM_RC.VALUE, 4);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 1);
  const scheme = selectSignScheme(signer, params.inScheme, 3);
  if (!isCreationTicketValid(tpm, params.creationTicket, params.creationHash, certified.name)) {
    throw paramError(TPM_RC.TICKET, 4);
  }
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
    type: TPM_ST.ATTEST_CREATION,
    attested: { objectName: certified.name, creationHash: params.creationHash },
  });
  return { response: { certifyInfo: attestBytes, signature } };
});
