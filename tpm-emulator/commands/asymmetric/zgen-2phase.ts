import { TPMA_OBJECT, TPM_ALG, TPM_RC, bigIntToBytes, eccCurveInfo, type TPMS_ECC_PARMS } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { defineCommand, handleError, paramError } from "../registry.js";
import { isPointOnCurve, multiplyPoint } from "./ecc-point.js";

const NO_NAME = Buffer.alloc(0);

/**
 * Part 3 §14.7 TPM2_ZGen_2Phase: the TPM's half of a two-phase key exchange (SP 800-56A C(2e, 2s) ECC CDH): with
 * the static key A (dsA) and the ephemeral key of TPM2_EC_Ephemeral that `counter` names (deA),
 * Z1 = dsA·QsB and Z2 = deA·QeB; the ephemeral key is used up.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not ECC), TPM_RC_ATTRIBUTES + H1 (restricted or no
 * decrypt), TPM_RC_SCHEME + P3 (other than the key's, both NULL, or not implemented), TPM_RC_ECC_POINT + P1/P2 (not
 * on the key's curve), TPM_RC_VALUE + P4 (no outstanding commitment with this counter), TPM_RC_NO_RESULT.
 */
export const zGen2Phase = defineCommand("ZGen_2Phase", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.ECC) throw handleError(TPM_RC.KEY, 1);
  const attrs = pub.objectAttributes;
  if (attrs & TPMA_OBJECT.restricted || !(attrs & TPMA_OBJECT.decrypt)) throw handleError(TPM_RC.ATTRIBUTES, 1);
  const parms = pub.parameters as TPMS_ECC_PARMS;
  let scheme = parms.scheme.scheme;
  if (scheme === TPM_ALG.NULL) scheme = params.inScheme;
  else if (scheme !== params.inScheme) throw paramError(TPM_RC.SCHEME, 3);
  if (scheme === TPM_ALG.NULL) throw paramError(TPM_RC.SCHEME, 3);
  const curveId = parms.curveID;
  if (!isPointOnCurve(curveId, params.inQsB)) throw paramError(TPM_RC.ECC_POINT, 1);
  if (!isPointOnCurve(curveId, params.inQeB)) throw paramError(TPM_RC.ECC_POINT, 2);
  const curve = eccCurveInfo(curveId);
  const r = tpm.commits.r(curve, params.counter, NO_NAME);
  if (r === undefined) throw paramError(TPM_RC.VALUE, 4);
  // CryptEcc2PhaseKeyExchange: ECDH is the one scheme implemented
  if (scheme !== TPM_ALG.ECDH) throw paramError(TPM_RC.SCHEME, 3);
  const dsA = key.sensitive?.sensitive;
  if (!dsA) throw handleError(TPM_RC.KEY, 1);
  const outZ1 = multiplyPoint(curveId, params.inQsB, dsA);
  const outZ2 = multiplyPoint(curveId, params.inQeB, bigIntToBytes(r, curve.byteLength));
  tpm.commits.end(params.counter);
  return { response: { outZ1, outZ2 } };
});
