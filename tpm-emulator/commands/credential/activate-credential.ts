import type { KeyObject } from "node:crypto";
import { IDENTITY_LABEL, TPM_ALG, TPM_RC, TpmError, activateCredentialWithSeed, decryptSeed } from "../../../tpm2/index.js";
import { eccPrivateScalar, keyAt, privateKeyObject } from "../../keys.js";
import type { TpmObject } from "../../objects.js";
import { defineCommand, handleError } from "../registry.js";
import { isCredentialProtector } from "./protector.js";

function atParameter(n: number, run: () => Buffer): Buffer {
  try {
    return run();
  } catch (e) {
    if (e instanceof TpmError) throw e.at("parameter", n);
    throw e;
  }
}

/**
 * The EK's private key (ECC: its raw scalar, which ECDH uses without a key import); the reference code turns a key
 * it cannot use into TPM_RC_FAILURE.
 */
function protectorPrivateKey(protector: TpmObject): KeyObject | Buffer {
  try {
    return protector.publicArea.type === TPM_ALG.ECC ? eccPrivateScalar(protector) : privateKeyObject(protector);
  } catch {
    throw new TpmError(TPM_RC.FAILURE);
  }
}

/**
 * Part 3 §12.5 TPM2_ActivateCredential: keyHandle (the EK) recovers the seed from `secret`, and the credential
 * opens only if its integrity HMAC binds it to the Name of activateHandle (the AK). The EK's policy (PolicySecret
 * with the endorsement hierarchy) and the AK's admin role are checked by the dispatcher.
 * RCs (libtpms's where they differ from the reference code): TPM_RC_VALUE + H1/H2 (not an object), TPM_RC_TYPE +
 * H2 (not an asymmetric restricted decryption key), TPM_RC_SIZE + P2 (RSA secret not the modulus size),
 * TPM_RC_FAILURE (RSA secret does not decrypt, or the EK's private key is unusable), TPM_RC_ECC_POINT + P2,
 * TPM_RC_INSUFFICIENT + P2 (malformed ECC secret), TPM_RC_INTEGRITY + P1 (wrong EK, wrong Name, or a modified
 * blob), TPM_RC_SIZE / TPM_RC_INSUFFICIENT + P1 (malformed blob).
 */
export const activateCredential = defineCommand("ActivateCredential", (tpm, { handles, params }) => {
  const activated = keyAt(tpm, handles[0]!, 1);
  const protector = keyAt(tpm, handles[1]!, 2);
  if (!isCredentialProtector(protector)) throw handleError(TPM_RC.TYPE, 2);
  const ekPublic = protector.publicArea;
  const privateKey = protectorPrivateKey(protector);
  const seed = atParameter(2, () => decryptSeed(ekPublic, privateKey, IDENTITY_LABEL, params.secret));
  const certInfo = atParameter(1, () =>
    activateCredentialWithSeed({ ekPublic, seed, objectName: activated.name, credentialBlob: params.credentialBlob }),
  );
  return { response: { certInfo } };
});
