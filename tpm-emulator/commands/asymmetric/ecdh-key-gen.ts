import { createECDH } from "node:crypto";
import { TPM_ALG, TPM_RC, TpmError, eccCurveInfo, fixedLength, type TPMS_ECC_PARMS, type TPMS_ECC_POINT } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { defineCommand, handleError } from "../registry.js";
import { multiplyPoint } from "./ecc-point.js";

/**
 * Part 3 §14.4 TPM2_ECDH_KeyGen: an ephemeral key pair (dₑ, Qₑ) on the key's curve, and Z = dₑ·Q with the key's
 * public point Q; the caller sends Qₑ to the key holder, who gets the same Z with TPM2_ECDH_ZGen.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not ECC, or its public point is not on the curve).
 */
export const ecdhKeyGen = defineCommand("ECDH_KeyGen", (tpm, { handles }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.ECC) throw handleError(TPM_RC.KEY, 1);
  const curveId = (pub.parameters as TPMS_ECC_PARMS).curveID;
  const curve = eccCurveInfo(curveId);
  const ephemeral = createECDH(curve.nodeName);
  const point = ephemeral.generateKeys();
  const d = fixedLength(ephemeral.getPrivateKey(), curve.byteLength)!;
  let zPoint: TPMS_ECC_POINT;
  try {
    zPoint = multiplyPoint(curveId, pub.unique as TPMS_ECC_POINT, d);
  } catch (e) {
    if (e instanceof TpmError && e.rc === TPM_RC.ECC_POINT) throw handleError(TPM_RC.KEY, 1);
    throw e;
  }
  const pubPoint = { x: point.subarray(1, 1 + curve.byteLength), y: point.subarray(1 + curve.byteLength) };
  return { response: { zPoint, pubPoint } };
});
