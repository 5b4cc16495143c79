import { TPMA_OBJECT, TPM_ALG, TPM_RC, type TPMS_KEYEDHASH_PARMS } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import type { TpmObject } from "../../objects.js";
import type { Tpm } from "../../tpm.js";
import { handleError, paramError } from "../registry.js";

/**
 * The key and hash of an HMAC (TPM2_HMAC, TPM2_HMAC_Start): an unrestricted KEYEDHASH signing key, and its
 * scheme's hash or — for a key without one — the caller's.
 * @param hashParameter the parameter number of hashAlg.
 * @throws TpmError TPM_RC_VALUE + H1 (not an object), TPM_RC_TYPE + H1 (not KEYEDHASH), TPM_RC_ATTRIBUTES + H1
 *   (restricted), TPM_RC_KEY + H1 (no sign), TPM_RC_VALUE + hashAlg (no hash, or another than the key's).
 */
export function hmacKeyAt(tpm: Tpm, handle: number, hashAlg: number, hashParameter: number): { key: TpmObject; hashAlg: number } {
  const key = keyAt(tpm, handle, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.KEYEDHASH) throw handleError(TPM_RC.TYPE, 1);
  if (pub.objectAttributes & TPMA_OBJECT.restricted) throw handleError(TPM_RC.ATTRIBUTES, 1);
  if (!(pub.objectAttributes & TPMA_OBJECT.sign)) throw handleError(TPM_RC.KEY, 1);
  const { scheme, details } = (pub.parameters as TPMS_KEYEDHASH_PARMS).scheme;
  let chosen = hashAlg;
  if (scheme !== TPM_ALG.NULL) {
    const keyHash = (details as { hashAlg: number }).hashAlg;
    chosen = hashAlg === TPM_ALG.NULL || hashAlg === keyHash ? keyHash : TPM_ALG.NULL;
  }
  if (chosen === TPM_ALG.NULL) throw paramError(TPM_RC.VALUE, hashParameter);
  return { key, hashAlg: chosen };
}
