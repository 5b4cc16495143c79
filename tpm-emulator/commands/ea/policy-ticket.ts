import { TPM_CC, TPM_RC, TPM_ST } from "../../../tpm2/index.js";
import { isAuthTicketValid } from "../../tickets.js";
import { NO_RESPONSE, defineCommand, handleError, paramError } from "../registry.js";
import { EXPIRATION_BIT } from "./entity-hierarchy.js";
import { checkPolicyParameters } from "./policy-checks.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { updatePolicyContext } from "./policy-update.js";

const NUMBERS = { nonceTPM: 0, cpHashA: 2, expiration: 1 } as const;

/**
 * Part 3 §23.5 TPM2_PolicyTicket: a ticket from TPM2_PolicySigned or TPM2_PolicySecret stands in for the
 * signature or secret; the digest is extended as that command would have.
 * RCs: TPM_RC_VALUE (handle 1 not a policy session), TPM_RC_ATTRIBUTES (H1: a trial session), TPM_RC_SIZE (P1:
 * timeout not 8 octets; P2: cpHashA size), TPM_RC_EXPIRED (P1), TPM_RC_CPHASH, TPM_RC_TICKET (P5: not a ticket
 * this TPM issued for these values), TPM_RC_TAG (P5: not an authorization ticket).
 */
export const policyTicket = defineCommand("PolicyTicket", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  if (isTrialSession(session)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  const { timeout: timeoutBytes, cpHashA, policyRef, authName, ticket } = params;
  if (timeoutBytes.length !== 8) throw paramError(TPM_RC.SIZE, 1);
  const raw = Buffer.from(timeoutBytes).readBigUInt64BE(0);
  const expiresOnReset = (raw & EXPIRATION_BIT) !== 0n;
  const timeout = raw & ~EXPIRATION_BIT;
  checkPolicyParameters(tpm, session, timeout, cpHashA, Buffer.alloc(0), NUMBERS);
  if (!isAuthTicketValid(tpm, ticket, { timeout, expiresOnReset, cpHash: cpHashA, policyRef, authName })) {
    throw paramError(TPM_RC.TICKET, 5);
  }
  const code = ticket.tag === TPM_ST.AUTH_SIGNED ? TPM_CC.PolicySigned : TPM_CC.PolicySecret;
  updatePolicyContext(session, code, authName, policyRef, cpHashA, timeout);
  return NO_RESPONSE;
});
