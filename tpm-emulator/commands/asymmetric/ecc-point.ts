/** ECC point multiplications with the response codes of CryptEccPointMultiply (Part 1 §11.2.5, SP 800-56A). */
import {
  TPM_RC,
  TpmError,
  bigIntToBytes,
  bytesToBigInt,
  ecdhContext,
  eccCurveInfo,
  type TPMS_ECC_POINT,
} from "../../../tpm2/index.js";
import { curveArithmetic } from "../../ecc-arithmetic.js";

/** Whether `point` is a point of curve `curveId` with coordinates no longer than the curve's (CryptEccIsPointOnCurve). */
export function isPointOnCurve(curveId: number, point: TPMS_ECC_POINT): boolean {
  const curve = eccCurveInfo(curveId);
  const arithmetic = curveArithmetic(curveId);
  if (!arithmetic || point.x.length > curve.byteLength || point.y.length > curve.byteLength) return false;
  return arithmetic.isOnCurve({ x: bytesToBigInt(point.x), y: bytesToBigInt(point.y) });
}

/**
 * d·Q on curve `curveId`, coordinates at the curve's size.
 * @throws TpmError TPM_RC_ECC_POINT (Q not on the curve), TPM_RC_NO_RESULT (the product is the point at
 *   infinity), TPM_RC_CURVE; no parameter number.
 */
export function multiplyPoint(curveId: number, point: TPMS_ECC_POINT, d: Uint8Array): TPMS_ECC_POINT {
  const curve = eccCurveInfo(curveId);
  const arithmetic = curveArithmetic(curveId);
  if (!arithmetic) throw new TpmError(TPM_RC.CURVE);
  if (!isPointOnCurve(curveId, point)) throw new TpmError(TPM_RC.ECC_POINT);
  const k = bytesToBigInt(d) % curve.order;
  const product = arithmetic.affine(arithmetic.multiply(k, { x: bytesToBigInt(point.x), y: bytesToBigInt(point.y), z: 1n }));
  if (!product) throw new TpmError(TPM_RC.NO_RESULT);
  return { x: bigIntToBytes(product.x, curve.byteLength), y: bigIntToBytes(product.y, curve.byteLength) };
}

/** k·G on curve `curveId` for k in [1, n−1] (through OpenSSL), coordinates at the curve's size. */
export function multiplyBase(curveId: number, k: bigint): TPMS_ECC_POINT {
  const curve = eccCurveInfo(curveId);
  const ecdh = ecdhContext(curve);
  ecdh.setPrivateKey(bigIntToBytes(k, curve.byteLength));
  const point = ecdh.getPublicKey();
  return { x: point.subarray(1, 1 + curve.byteLength), y: point.subarray(1 + curve.byteLength) };
}
