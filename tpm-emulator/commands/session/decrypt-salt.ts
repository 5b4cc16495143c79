/**
 * The salt of a salted session (Part 1 Annexes B.10 and C.6, secret sharing with the "SECRET" label; the
 * reference's CryptSecretDecrypt):
 * RSA keys decrypt it with OAEP, ECC keys recover it from an ephemeral point with ECDH and KDFe.
 */
import {
  TPM_ALG,
  TPMS_ECC_POINT,
  TpmError,
  TPM_RC,
  digestSize,
  ecdhZFromScalar,
  kdfe,
  rsaOaepDecrypt,
  unmarshal,
  type TPMS_ECC_PARMS,
  type TPMS_RSA_PARMS,
} from "../../../tpm2/index.js";
import { eccPrivateScalar, privateKeyObject } from "../../keys.js";
import type { TpmObject } from "../../objects.js";

const LABEL = "SECRET";

/**
 * RSA: OAEP with the key's OAEP hash, or its nameAlg when the key has no scheme; any other scheme is
 * TPM_RC_SCHEME. The salt may not be longer than a digest of that hash (TPM_RC_VALUE).
 */
function decryptRsaSalt(key: TpmObject, encrypted: Uint8Array): Buffer {
  const scheme = (key.publicArea.parameters as TPMS_RSA_PARMS).scheme;
  let hashAlg = key.publicArea.nameAlg;
  if (scheme.scheme === TPM_ALG.OAEP) hashAlg = (scheme.details as { hashAlg: number }).hashAlg;
  else if (scheme.scheme !== TPM_ALG.NULL) throw new TpmError(TPM_RC.SCHEME);
  const salt = rsaOaepDecrypt(privateKeyObject(key), hashAlg, LABEL, encrypted);
  if (salt.length > digestSize(hashAlg)) throw new TpmError(TPM_RC.VALUE);
  return salt;
}

/**
 * ECC: `encrypted` is a TPMS_ECC_POINT Qe; salt = KDFe(nameAlg, Z = (d·Qe).x, "SECRET", Qe.x, Qs.x, digest bits),
 * where Qs is the key's public point.
 */
function decryptEccSalt(key: TpmObject, encrypted: Uint8Array): Buffer {
  const point = unmarshal(TPMS_ECC_POINT, encrypted);
  const curveId = (key.publicArea.parameters as TPMS_ECC_PARMS).curveID;
  const z = ecdhZFromScalar(curveId, eccPrivateScalar(key), point.x, point.y);
  const nameAlg = key.publicArea.nameAlg;
  const ownX = (key.publicArea.unique as TPMS_ECC_POINT).x;
  return kdfe(nameAlg, z, LABEL, point.x, ownX, digestSize(nameAlg) * 8);
}

/**
 * The salt `encrypted` to the RSA or ECC key `key`.
 * @throws TpmError (any code; TPM2_StartAuthSession reports every failure as TPM_RC_VALUE on encryptedSalt).
 */
export function decryptSalt(key: TpmObject, encrypted: Uint8Array): Buffer {
  return key.publicArea.type === TPM_ALG.RSA ? decryptRsaSalt(key, encrypted) : decryptEccSalt(key, encrypted);
}
