import { TPM_RC, digestSize, makeCredential as makeCredentialBlob } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { isCredentialProtector } from "./protector.js";

/**
 * Part 3 §12.6 TPM2_MakeCredential: the TPM does for a caller what a certificate authority does in software —
 * wraps a credential for the object with Name objectName, protected by the loaded public key `handle` (an EK).
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_TYPE + H1 (not an asymmetric restricted decryption key),
 * TPM_RC_SIZE + P1 (credential longer than a digest of the key's nameAlg).
 */
export const makeCredential = defineCommand("MakeCredential", (tpm, { handles, params }) => {
  const protector = keyAt(tpm, handles[0]!, 1);
  if (!isCredentialProtector(protector)) throw handleError(TPM_RC.TYPE, 1);
  if (params.credential.length > digestSize(protector.publicArea.nameAlg)) throw paramError(TPM_RC.SIZE, 1);
  const out = makeCredentialBlob({
    ekPublic: protector.publicArea,
    objectName: params.objectName,
    credential: params.credential,
  });
  return { response: { credentialBlob: out.credentialBlob, secret: out.secret } };
});
