import { TPMA_OBJECT, TPM_ALG, TPM_RC } from "../../../tpm2/index.js";
import { keyAt, publicKeyObject } from "../../keys.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { encryptRsa, isLabelProperlyFormatted, selectRsaScheme } from "./rsa-scheme.js";

/**
 * Part 3 §14.2 TPM2_RSA_Encrypt: RSAEP with OAEP, RSAES or no padding (NULL scheme) under the public part of an
 * RSA decryption key; needs no authorization.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not RSA), TPM_RC_ATTRIBUTES + H1 (no decrypt),
 * TPM_RC_VALUE + P3 (label without its terminating zero), TPM_RC_SCHEME + P2 (scheme other than the key's),
 * TPM_RC_VALUE / TPM_RC_FAILURE (message does not fit the padding or the modulus).
 */
export const rsaEncrypt = defineCommand("RSA_Encrypt", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.RSA) throw handleError(TPM_RC.KEY, 1);
  if (!(pub.objectAttributes & TPMA_OBJECT.decrypt)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  if (!isLabelProperlyFormatted(params.label)) throw paramError(TPM_RC.VALUE, 3);
  const scheme = selectRsaScheme(pub, params.inScheme);
  if (!scheme) throw paramError(TPM_RC.SCHEME, 2);
  const modulus = pub.unique as Uint8Array;
  return { response: { outData: encryptRsa(publicKeyObject(key), modulus.length, scheme, params.label, params.message) } };
});
