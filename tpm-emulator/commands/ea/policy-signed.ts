import { TPM_CC, TPM_RC, TPM_RH, TPM_ST, TpmError, hashDigest, isHashAlg } from "../../../tpm2/index.js";
import { keyAt, verifySignature } from "../../keys.js";
import { authTicket } from "../../tickets.js";
import { defineCommand, paramError } from "../registry.js";
import { EXPIRATION_BIT, entityHierarchy } from "./entity-hierarchy.js";
import { authTimeout, checkPolicyParameters } from "./policy-checks.js";
import { isTrialSession, policySessionAt } from "./policy-session.js";
import { u32, updatePolicyContext } from "./policy-update.js";

const NUMBERS = { nonceTPM: 1, cpHashA: 2, expiration: 4 } as const;

function u64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt.asUintN(64, value));
  return b;
}

/**
 * Part 3 §23.3 TPM2_PolicySigned: `authObject` signed aHash = H(nonceTPM || expiration || cpHashA || policyRef)
 * with the signature's hash; the policy digest is extended with the key's Name and policyRef. A negative
 * expiration also returns a ticket and timeout for TPM2_PolicyTicket. A trial session only extends the digest.
 * RCs: TPM_RC_VALUE (handle 1 not an object, handle 2 not a policy session), TPM_RC_NONCE (P1), TPM_RC_SIZE (P2),
 * TPM_RC_CPHASH, TPM_RC_EXPIRED (P4), TPM_RC_SCHEME (P5: no hash), TPM_RC_SIGNATURE / TPM_RC_SCHEME /
 * TPM_RC_ATTRIBUTES (P5: the signature does not verify with this key).
 */
export const policySigned = defineCommand("PolicySigned", (tpm, { handles, params }) => {
  const [authObject, sessionHandle] = handles as [number, number];
  const key = keyAt(tpm, authObject, 1);
  const session = policySessionAt(tpm, sessionHandle, 2);
  const { nonceTPM, cpHashA, policyRef, expiration, auth } = params;
  const trial = isTrialSession(session);
  let timeout = 0n;
  if (!trial) {
    timeout = authTimeout(tpm, session, expiration, nonceTPM);
    checkPolicyParameters(tpm, session, timeout, cpHashA, nonceTPM, NUMBERS);
    const hashAlg = (auth.signature as { hash?: number; hashAlg?: number } | undefined)?.hash ?? (auth.signature as { hashAlg?: number } | undefined)?.hashAlg;
    if (hashAlg === undefined || !isHashAlg(hashAlg)) throw paramError(TPM_RC.SCHEME, 5);
    const aHash = hashDigest(hashAlg, nonceTPM, u32(expiration), cpHashA, policyRef);
    try {
      verifySignature(key, aHash, auth);
    } catch (e) {
      if (e instanceof TpmError) throw e.at("parameter", 5);
      throw e;
    }
  }
  updatePolicyContext(session, TPM_CC.PolicySigned, key.name, policyRef, cpHashA, timeout);

  if (expiration < 0 && !trial) {
    const expiresOnReset = nonceTPM.length === 0;
    const ticketTimeout = timeout & ~EXPIRATION_BIT;
    return {
      response: {
        timeout: u64(expiresOnReset ? ticketTimeout | EXPIRATION_BIT : ticketTimeout),
        policyTicket: authTicket(tpm, {
          tag: TPM_ST.AUTH_SIGNED,
          hierarchy: entityHierarchy(tpm, authObject),
          timeout: ticketTimeout,
          expiresOnReset,
          cpHash: cpHashA,
          policyRef,
          authName: key.name,
        }),
      },
    };
  }
  return { response: { timeout: Buffer.alloc(0), policyTicket: { tag: TPM_ST.AUTH_SIGNED, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) } } };
});
