import { defineCommand } from "../registry.js";
import { policySessionAt } from "./policy-session.js";

/**
 * Part 3 §23.19 TPM2_PolicyGetDigest: the session's current policyDigest (for a trial session, the policy to put in
 * an object's authPolicy).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session).
 */
export const policyGetDigest = defineCommand("PolicyGetDigest", (tpm, { handles }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  return { response: { policyDigest: Buffer.from(session.policyDigest) } };
});
