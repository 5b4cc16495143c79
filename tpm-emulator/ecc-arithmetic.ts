/**
 * Point arithmetic on the NIST prime curves (y² = x³ − 3x + b over GF(p)) in bigint: what node:crypto does not
 * expose — adding arbitrary points (ECDSA verification) and the full point d·Q of an ECDH (node returns only x).
 */
import { modInverse } from "../tpm2/index.js";

/** A point in Jacobian coordinates; z = 0 is the point at infinity. */
export interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

/** An affine point. */
export interface AffinePoint {
  x: bigint;
  y: bigint;
}

export const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

/** Field prime p and coefficient b of the NIST curves, by TPM_ECC_CURVE (a = −3 on all of them). */
const CURVE_FIELDS: ReadonlyMap<number, { p: bigint; b: bigint }> = new Map([
  [
    0x0003,
    {
      p: 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n,
      b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    },
  ],
  [
    0x0004,
    {
      p: 2n ** 384n - 2n ** 128n - 2n ** 96n + 2n ** 32n - 1n,
      b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    },
  ],
  [
    0x0005,
    {
      p: 2n ** 521n - 1n,
      b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    },
  ],
]);

/** Point arithmetic on one curve (EFD dbl-2001-b, add-2007-bl). */
export class CurveArithmetic {
  constructor(
    readonly p: bigint,
    readonly b: bigint,
  ) {}

  private m(a: bigint): bigint {
    const r = a % this.p;
    return r < 0n ? r + this.p : r;
  }

  double(P: Jacobian): Jacobian {
    if (P.z === 0n || P.y === 0n) return INFINITY;
    const delta = this.m(P.z * P.z);
    const gamma = this.m(P.y * P.y);
    const beta = this.m(P.x * gamma);
    const alpha = this.m(3n * (P.x - delta) * (P.x + delta));
    const x = this.m(alpha * alpha - 8n * beta);
    const z = this.m((P.y + P.z) ** 2n - gamma - delta);
    const y = this.m(alpha * (4n * beta - x) - 8n * gamma * gamma);
    return { x, y, z };
  }

  add(P: Jacobian, Q: Jacobian): Jacobian {
    if (P.z === 0n) return Q;
    if (Q.z === 0n) return P;
    const z1z1 = this.m(P.z * P.z);
    const z2z2 = this.m(Q.z * Q.z);
    const u1 = this.m(P.x * z2z2);
    const u2 = this.m(Q.x * z1z1);
    const s1 = this.m(P.y * Q.z * z2z2);
    const s2 = this.m(Q.y * P.z * z1z1);
    if (u1 === u2) return s1 === s2 ? this.double(P) : INFINITY;
    const h = this.m(u2 - u1);
    const i = this.m(4n * h * h);
    const j = this.m(h * i);
    const r = this.m(2n * (s2 - s1));
    const v = this.m(u1 * i);
    const x = this.m(r * r - j - 2n * v);
    const y = this.m(r * (v - x) - 2n * s1 * j);
    const z = this.m(((P.z + Q.z) ** 2n - z1z1 - z2z2) * h);
    return { x, y, z };
  }

  multiply(k: bigint, P: Jacobian): Jacobian {
    let R = INFINITY;
    for (let bit = k.toString(2).length - 1; bit >= 0; bit--) {
      R = this.double(R);
      if ((k >> BigInt(bit)) & 1n) R = this.add(R, P);
    }
    return R;
  }

  /** The affine form of P; undefined for the point at infinity. */
  affine(P: Jacobian): AffinePoint | undefined {
    if (P.z === 0n) return undefined;
    const zInv = modInverse(P.z, this.p);
    const zInv2 = this.m(zInv * zInv);
    return { x: this.m(P.x * zInv2), y: this.m(P.y * zInv2 * zInv) };
  }

  affineX(P: Jacobian): bigint | undefined {
    return this.affine(P)?.x;
  }

  /** Whether (x, y) is a point of the curve with coordinates in the field (CryptEccIsPointOnCurve). */
  isOnCurve(point: AffinePoint): boolean {
    const { x, y } = point;
    if (x < 0n || y < 0n || x >= this.p || y >= this.p) return false;
    return this.m(y * y) === this.m(x * x * x - 3n * x + this.b);
  }
}

/** The arithmetic of a TPM_ECC_CURVE, or undefined for a curve it does not cover. */
export function curveArithmetic(curveId: number): CurveArithmetic | undefined {
  const field = CURVE_FIELDS.get(curveId);
  return field ? new CurveArithmetic(field.p, field.b) : undefined;
}
