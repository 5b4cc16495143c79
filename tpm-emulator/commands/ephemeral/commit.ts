import {
  TPM_ALG,
  TPM_RC,
  TpmError,
  bigIntToBytes,
  bytesToBigInt,
  eccCurveInfo,
  hashDigest,
  type TPMS_ECC_PARMS,
  type TPMS_ECC_POINT,
} from "../../../tpm2/index.js";
import { curveArithmetic } from "../../ecc-arithmetic.js";
import { keyAt } from "../../keys.js";
import { isPointOnCurve, multiplyBase, multiplyPoint } from "../asymmetric/ecc-point.js";
import { defineCommand, handleError, paramError } from "../registry.js";

const NO_POINT: TPMS_ECC_POINT = { x: Buffer.alloc(0), y: Buffer.alloc(0) };

/**
 * Part 3 §19.2 TPM2_Commit: the first half of an anonymous (ECDAA) signature. With r the next commitment's scalar
 * (ecc-commit.ts) and d the key's: given P2 = (H_nameAlg(s2) mod p, y2), K = d·P2 and L = r·P2; given P1, or when
 * P2 is absent, E = r·P1 (r·G without P1). The returned counter names r in the TPM2_Sign that completes it.
 * RCs: TPM_RC_VALUE + H1 (not an object), TPM_RC_KEY + H1 (not ECC; P2 with a public-only key), TPM_RC_SCHEME + H1
 * (key scheme not anonymous), TPM_RC_SIZE + P3 (only one of s2 and y2), TPM_RC_ECC_POINT + P2 (P2 not on the
 * curve), TPM_RC_ECC_POINT + P1, TPM_RC_NO_RESULT (a product at infinity, or no r).
 */
export const commit = defineCommand("Commit", (tpm, { handles, params }) => {
  const key = keyAt(tpm, handles[0]!, 1);
  const pub = key.publicArea;
  if (pub.type !== TPM_ALG.ECC) throw handleError(TPM_RC.KEY, 1);
  const { curveID, scheme } = pub.parameters as TPMS_ECC_PARMS;
  // CryptIsSchemeAnonymous: only a key whose own scheme is ECDAA commits
  if (scheme.scheme !== TPM_ALG.ECDAA) throw handleError(TPM_RC.SCHEME, 1);
  const { P1, s2, y2 } = params;
  if ((s2.length === 0) !== (y2.length === 0)) throw paramError(TPM_RC.SIZE, 3);
  const arithmetic = curveArithmetic(curveID);
  if (!arithmetic) throw handleError(TPM_RC.KEY, 1);
  const curve = eccCurveInfo(curveID);
  const r = tpm.commits.r(curve, undefined, key.name);
  if (r === undefined) throw new TpmError(TPM_RC.NO_RESULT);
  const rBytes = bigIntToBytes(r, curve.byteLength);

  let P2: TPMS_ECC_POINT | undefined;
  if (s2.length !== 0) {
    const x2 = bytesToBigInt(hashDigest(pub.nameAlg, s2)) % arithmetic.p;
    P2 = { x: bigIntToBytes(x2, curve.byteLength), y: y2 };
    if (!isPointOnCurve(curveID, P2)) throw paramError(TPM_RC.ECC_POINT, 2);
    if (!key.sensitive) throw handleError(TPM_RC.KEY, 1);
  }
  // an empty TPM2B_ECC_POINT still has its two size fields: P1 is present when a coordinate is
  const hasP1 = P1.x.length + P1.y.length > 0;
  if (hasP1 && !isPointOnCurve(curveID, P1)) throw paramError(TPM_RC.ECC_POINT, 1);

  // CryptEccCommitCompute
  let K = NO_POINT;
  let L = NO_POINT;
  let E = NO_POINT;
  if (P2 && key.sensitive) {
    K = multiplyPoint(curveID, P2, key.sensitive.sensitive);
    L = multiplyPoint(curveID, P2, rBytes);
  }
  if (hasP1) E = multiplyPoint(curveID, P1, rBytes);
  else if (!P2) E = multiplyBase(curveID, r);
  return { response: { K, L, E, counter: tpm.commits.commit() } };
});
