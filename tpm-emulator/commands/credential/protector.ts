import { TPM_ALG, TPMA_OBJECT } from "../../../tpm2/index.js";
import type { TpmObject } from "../../objects.js";

/**
 * What MakeCredential and ActivateCredential require of the key protecting a credential (Part 3 §12.5, §12.6):
 * an asymmetric, restricted decryption key — restricted so it has the symmetric definition the wrap uses.
 */
export function isCredentialProtector(object: TpmObject): boolean {
  const pub = object.publicArea;
  const asymmetric = pub.type === TPM_ALG.RSA || pub.type === TPM_ALG.ECC;
  const attributes = TPMA_OBJECT.decrypt | TPMA_OBJECT.restricted;
  return asymmetric && (pub.objectAttributes & attributes) === attributes && pub.nameAlg !== TPM_ALG.NULL;
}
