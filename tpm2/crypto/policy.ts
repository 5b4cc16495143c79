import { TPM_CC } from "../constants.js";
import { hashDigest, hashInfo } from "./hash.js";

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

function checkDigest(alg: number, digest: Uint8Array, what: string): void {
  const size = hashInfo(alg).digestSize;
  if (digest.length !== size) throw new RangeError(`${what} is ${digest.length} octets, not ${size}`);
}

/** The policyDigest a policy session starts with (Part 3 §23.1): digestSize zero octets. */
export function emptyPolicyDigest(alg: number): Buffer {
  return Buffer.alloc(hashInfo(alg).digestSize);
}

/**
 * PolicyUpdate(), Part 3 §23.2.3: policyDigest_new = H(H(policyDigest_old || commandCode || arg2) || arg3).
 * The second hash is taken even when arg3 (a policyRef) is empty.
 * @throws RangeError when `digest` is not a digest of `alg`.
 */
export function policyUpdate(
  alg: number,
  digest: Uint8Array,
  commandCode: number,
  arg2: Uint8Array,
  arg3: Uint8Array,
): Buffer {
  checkDigest(alg, digest, "policyDigest");
  return hashDigest(alg, hashDigest(alg, digest, u32(commandCode), arg2), arg3);
}

/** TPM2_PolicySecret, Part 3 §23.4: PolicyUpdate(TPM_CC_PolicySecret, authObject→Name, policyRef). */
export function policySecretDigest(
  alg: number,
  old: Uint8Array,
  authObjectName: Uint8Array,
  policyRef: Uint8Array,
): Buffer {
  return policyUpdate(alg, old, TPM_CC.PolicySecret, authObjectName, policyRef);
}

/** TPM2_PolicySigned, Part 3 §23.3: PolicyUpdate(TPM_CC_PolicySigned, authObject→Name, policyRef). */
export function policySignedDigest(
  alg: number,
  old: Uint8Array,
  authKeyName: Uint8Array,
  policyRef: Uint8Array,
): Buffer {
  return policyUpdate(alg, old, TPM_CC.PolicySigned, authKeyName, policyRef);
}

/**
 * TPM2_PolicyAuthorize, Part 3 §23.16: the digest is reset to zeros, then
 * PolicyUpdate(TPM_CC_PolicyAuthorize, keySign→Name, policyRef).
 */
export function policyAuthorizeDigest(alg: number, keySignName: Uint8Array, policyRef: Uint8Array): Buffer {
  return policyUpdate(alg, emptyPolicyDigest(alg), TPM_CC.PolicyAuthorize, keySignName, policyRef);
}

/**
 * TPM2_PolicyPCR, Part 3 §23.7: H(policyDigest_old || TPM_CC_PolicyPCR || pcrs || pcrDigest).
 * @param pcrSelectionBytes the marshalled TPML_PCR_SELECTION.
 * @param pcrDigest the digest (with the session's hash) of the selected PCR values, concatenated in selection order.
 */
export function policyPcrDigest(
  alg: number,
  old: Uint8Array,
  pcrSelectionBytes: Uint8Array,
  pcrDigest: Uint8Array,
): Buffer {
  checkDigest(alg, old, "policyDigest");
  return hashDigest(alg, old, u32(TPM_CC.PolicyPCR), pcrSelectionBytes, pcrDigest);
}

/** TPM2_PolicyCommandCode, Part 3 §23.11: H(policyDigest_old || TPM_CC_PolicyCommandCode || code). */
export function policyCommandCodeDigest(alg: number, old: Uint8Array, commandCode: number): Buffer {
  checkDigest(alg, old, "policyDigest");
  return hashDigest(alg, old, u32(TPM_CC.PolicyCommandCode), u32(commandCode));
}

/** TPM2_PolicyAuthValue, Part 3 §23.17: H(policyDigest_old || TPM_CC_PolicyAuthValue). */
export function policyAuthValueDigest(alg: number, old: Uint8Array): Buffer {
  checkDigest(alg, old, "policyDigest");
  return hashDigest(alg, old, u32(TPM_CC.PolicyAuthValue));
}

/**
 * TPM2_PolicyPassword, Part 3 §23.18: the same digest as PolicyAuthValue (it is extended with
 * TPM_CC_PolicyAuthValue, so a policy does not reveal which of the two the caller will use).
 */
export function policyPasswordDigest(alg: number, old: Uint8Array): Buffer {
  return policyAuthValueDigest(alg, old);
}

/**
 * TPM2_PolicyOR, Part 3 §23.6: the digest is reset to zeros, then
 * H(0…0 || TPM_CC_PolicyOR || digests[0] || … || digests[n-1]).
 * @throws RangeError unless there are 2 to 8 digests, each of `alg`'s size.
 */
export function policyOrDigest(alg: number, digests: readonly Uint8Array[]): Buffer {
  if (digests.length < 2 || digests.length > 8) {
    throw new RangeError(`PolicyOR takes 2 to 8 digests, not ${digests.length}`);
  }
  for (const digest of digests) checkDigest(alg, digest, "PolicyOR branch");
  return hashDigest(alg, emptyPolicyDigest(alg), u32(TPM_CC.PolicyOR), ...digests);
}
