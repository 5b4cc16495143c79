import { TPM_RH, TPM_ST, policySecretDigest } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";
import { checkEntityHandle } from "../session/handle-types.js";
import { authTicket } from "../../tickets.js";
import { EXPIRATION_BIT, entityHierarchy } from "./entity-hierarchy.js";
import { authTimeout, checkPolicyParameters } from "./policy-checks.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { restrictPolicyTimeout } from "./policy-timeout.js";

const NUMBERS = { nonceTPM: 1, cpHashA: 2, expiration: 4 } as const;

function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, value));
  return b;
}

/**
 * Part 3 §23.4 TPM2_PolicySecret: proof that the caller knows the authorization of `authHandle` (checked by the
 * dispatcher's session on handle 1). The policy digest is extended with the entity's Name and policyRef; a
 * cpHashA binds the session to one command, an expiration limits it in time, and a negative expiration also
 * returns a ticket and timeout for TPM2_PolicyTicket. A trial session only extends the digest.
 * RCs: TPM_RC_VALUE (handle 1 not an entity; handle 2 not a policy session), TPM_RC_NONCE (parameter 1: not the
 * session's nonceTPM), TPM_RC_SIZE (parameter 2: cpHashA not a digest of the session hash), TPM_RC_CPHASH
 * (cpHashA differs from the session's), TPM_RC_EXPIRED (parameter 4: expiration already passed).
 */
export const policySecret = defineCommand("PolicySecret", (tpm, { handles, params }) => {
  const [authHandle, sessionHandle] = handles as [number, number];
  checkEntityHandle(authHandle, 1, false);
  const session = policySessionAt(tpm, sessionHandle, 2);
  const { nonceTPM, cpHashA, policyRef, expiration } = params;
  const trial = isTrialSession(session);
  let timeout = 0n;
  if (!trial) {
    timeout = authTimeout(tpm, session, expiration, nonceTPM);
    checkPolicyParameters(tpm, session, timeout, cpHashA, nonceTPM, NUMBERS);
  }

  const name = tpm.entityName(authHandle);
  session.policyDigest = policySecretDigest(session.authHash, session.policyDigest, name, policyRef);
  if (cpHashA.length !== 0) session.cpHash = Buffer.from(cpHashA);
  restrictPolicyTimeout(session, timeout);

  if (expiration < 0 && !trial) {
    const expiresOnReset = nonceTPM.length === 0;
    const ticketTimeout = timeout & ~EXPIRATION_BIT;
    const hierarchy = entityHierarchy(tpm, authHandle);
    return {
      response: {
        timeout: u64(expiresOnReset ? ticketTimeout | EXPIRATION_BIT : ticketTimeout),
        policyTicket: authTicket(tpm, {
          tag: TPM_ST.AUTH_SECRET,
          hierarchy,
          timeout: ticketTimeout,
          expiresOnReset,
          cpHash: cpHashA,
          policyRef,
          authName: name,
        }),
      },
    };
  }
  return {
    response: {
      timeout: Buffer.alloc(0),
      policyTicket: { tag: TPM_ST.AUTH_SECRET, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) },
    },
  };
});
