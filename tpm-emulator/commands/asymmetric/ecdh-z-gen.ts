import { TPMA_OBJECT, TPM_ALG, TPM_RC, type TPMS_ECC_PARMS } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { blame } from "../object/blame.js";
import { defineCommand, handleError } from "../registry.js";
import { multiplyPoint } from "./ecc-point.js";

/**
 * Part 3 §14.5 TPM2_ECDH_ZGen: Z = d·inPoint with the private scalar d of an unrestricted ECC decryption key
 * (the key holder's half of an ECDH); the whole point is returned, not only its x-coordinate.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not ECC), TPM_RC_ATTRIBUTES + H1 (restricted or no
 * decrypt), TPM_RC_SCHEME + H1 (key scheme neither ECDH nor NULL), TPM_RC_ECC_POINT + P1 (inPoint not on the
 * curve), TPM_RC_NO_RESULT + P1 (the product is the point at infinity).
 */
export const ecdhZGen = defineCommand("ECDH_ZGen", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.ECC) throw handleError(TPM_RC.KEY, 1);
  const attrs = pub.objectAttributes;
  if (attrs & TPMA_OBJECT.restricted || !(attrs & TPMA_OBJECT.decrypt)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  const parms = pub.parameters as TPMS_ECC_PARMS;
  if (parms.scheme.scheme !== TPM_ALG.ECDH && parms.scheme.scheme !== TPM_ALG.NULL) throw handleError(TPM_RC.SCHEME, 1);
  const d = key.sensitive?.sensitive;
  if (!d) throw handleError(TPM_RC.KEY, 1);
  const outPoint = blame(1, () => multiplyPoint(parms.curveID, params.inPoint, d));
  return { response: { outPoint } };
});
