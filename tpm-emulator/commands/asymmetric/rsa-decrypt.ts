import { TPMA_OBJECT, TPM_ALG, TPM_RC } from "../../../tpm2/index.js";
import { keyAt, privateKeyObject } from "../../keys.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { decryptRsa, isLabelProperlyFormatted, selectRsaScheme } from "./rsa-scheme.js";

/**
 * Part 3 §14.3 TPM2_RSA_Decrypt: RSADP with an unrestricted RSA decryption key, then the padding of the chosen
 * scheme (OAEP with the label, RSAES, or none) removed.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not RSA), TPM_RC_ATTRIBUTES + H1 (restricted or no
 * decrypt), TPM_RC_VALUE + P3 (label without its terminating zero), TPM_RC_SCHEME + P2 (scheme other than the
 * key's), TPM_RC_SIZE (ciphertext not the modulus size), TPM_RC_FAILURE (does not decrypt, as libtpms).
 */
export const rsaDecrypt = defineCommand("RSA_Decrypt", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.RSA) throw handleError(TPM_RC.KEY, 1);
  const attrs = pub.objectAttributes;
  if (attrs & TPMA_OBJECT.restricted || !(attrs & TPMA_OBJECT.decrypt)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  if (!isLabelProperlyFormatted(params.label)) throw paramError(TPM_RC.VALUE, 3);
  const scheme = selectRsaScheme(pub, params.inScheme);
  if (!scheme) throw paramError(TPM_RC.SCHEME, 2);
  const modulus = pub.unique as Uint8Array;
  return { response: { message: decryptRsa(privateKeyObject(key), modulus, scheme, params.label, params.cipherText) } };
});
