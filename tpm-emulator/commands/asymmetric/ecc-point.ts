/** ECDH point multiplication with the response codes of CryptEccPointMultiply (Part 1 §11.2.5, SP 800-56A). */
import {
  TPM_RC,
  TpmError,
  bigIntToBytes,
  bytesToBigInt,
  eccCurveInfo,
  type TPMS_ECC_POINT,
} from "../../../tpm2/index.js";
import { curveArithmetic } from "../../ecc-arithmetic.js";

/**
 * d·Q on curve `curveId`, coordinates at the curve's size.
 * @throws TpmError TPM_RC_ECC_POINT (Q not on the curve), TPM_RC_NO_RESULT (the product is the point at
 *   infinity), TPM_RC_CURVE; no parameter number.
 */
export function multiplyPoint(curveId: number, point: TPMS_ECC_POINT, d: Uint8Array): TPMS_ECC_POINT {
  const curve = eccCurveInfo(curveId);
  const arithmetic = curveArithmetic(curveId);
  if (!arithmetic) throw new TpmError(TPM_RC.CURVE);
  const Q = { x: bytesToBigInt(point.x), y: bytesToBigInt(point.y) };
  if (point.x.length > curve.byteLength || point.y.length > curve.byteLength || !arithmetic.isOnCurve(Q)) {
    throw new TpmError(TPM_RC.ECC_POINT);
  }
  const k = bytesToBigInt(d) % curve.order;
  const product = arithmetic.affine(arithmetic.multiply(k, { ...Q, z: 1n }));
  if (!product) throw new TpmError(TPM_RC.NO_RESULT);
  return { x: bigIntToBytes(product.x, curve.byteLength), y: bigIntToBytes(product.y, curve.byteLength) };
}
