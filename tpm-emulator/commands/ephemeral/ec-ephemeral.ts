import { TPM_RC, TpmError, eccCurveInfo } from "../../../tpm2/index.js";
import { multiplyBase } from "../asymmetric/ecc-point.js";
import { defineCommand } from "../registry.js";

const NO_NAME = Buffer.alloc(0);

/**
 * Part 3 §19.3 TPM2_EC_Ephemeral: Q = r·G for the next commitment's r (ecc-commit.ts, bound to no key), committed
 * under the returned counter; the private half r stays in the TPM until TPM2_ZGen_2Phase names the counter.
 * RCs: TPM_RC_CURVE + P1 (unmarshal), TPM_RC_NO_RESULT (no r).
 */
export const ecEphemeral = defineCommand("EC_Ephemeral", (tpm, { params }) => {
  const r = tpm.commits.r(eccCurveInfo(params.curveID), undefined, NO_NAME);
  if (r === undefined) throw new TpmError(TPM_RC.NO_RESULT);
  const Q = multiplyBase(params.curveID, r);
  return { response: { Q, counter: tpm.commits.commit() } };
});
