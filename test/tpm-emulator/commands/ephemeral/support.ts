// For the ephemeral-key and ECDAA specs: NIST P-256 affine arithmetic written out here (independent of the
// emulator's), an ECDAA signing key template, and the checks a verifier of a split signature makes.
import { createHash } from "node:crypto";
import { TPM_ALG, type TPMS_ECC_POINT, type TPMT_PUBLIC } from "../../../../tpm2/index.js";
import { signingKeyTemplate } from "../key-fixture.js";

export const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
export const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

/** An affine point; undefined is the point at infinity. */
export interface Point {
  x: bigint;
  y: bigint;
}

const mod = (a: bigint, m: bigint = P) => ((a % m) + m) % m;

function power(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

const inverse = (a: bigint) => power(a, P - 2n, P);

export function add(p: Point | undefined, q: Point | undefined): Point | undefined {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && mod(p.y + q.y) === 0n) return undefined;
  const slope = p.x === q.x ? mod((3n * p.x * p.x - 3n) * inverse(2n * p.y)) : mod((q.y - p.y) * inverse(q.x - p.x));
  const x = mod(slope * slope - p.x - q.x);
  return { x, y: mod(slope * (p.x - x) - p.y) };
}

export function multiply(k: bigint, p: Point): Point | undefined {
  let result: Point | undefined;
  let addend: Point | undefined = p;
  for (let e = mod(k, N); e > 0n; e >>= 1n) {
    if (e & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

export const big = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString("hex")}`));
export const bytes32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");
export const toPoint = (p: TPMS_ECC_POINT): Point => ({ x: big(p.x), y: big(p.y) });
export const toTpm = (p: Point): TPMS_ECC_POINT => ({ x: bytes32(p.x), y: bytes32(p.y) });
export const isOnCurve = (p: Point) => mod(p.y * p.y) === mod(p.x ** 3n - 3n * p.x + B);

/**
 * A basename point the way TPM2_Commit takes it: s2 whose SHA-256 mod p is the x of a curve point, with that point's
 * y (p ≡ 3 mod 4, so y = (x³ − 3x + b)^((p+1)/4) when that squares back).
 */
export function basenamePoint(seed: string): { s2: Buffer; y2: Buffer; point: Point } {
  for (let i = 0; ; i++) {
    const s2 = Buffer.from(`${seed}-${i}`);
    const x = mod(big(createHash("sha256").update(s2).digest()));
    const y = power(mod(x ** 3n - 3n * x + B), (P + 1n) / 4n, P);
    if (isOnCurve({ x, y })) return { s2, y2: bytes32(y), point: { x, y } };
  }
}

/** The ECDAA scheme with its commit counter. */
export const ecdaa = (count: number, hashAlg: number = TPM_ALG.SHA256) => ({ scheme: TPM_ALG.ECDAA, details: { hashAlg, count } });

/** An unrestricted P-256 signing key whose scheme is ECDAA (what `tpm2_create -G ecc256:ecdaa` makes). */
export function ecdaaKeyTemplate(): TPMT_PUBLIC {
  return signingKeyTemplate("ecc", ecdaa(0));
}

/** T = H(nonceK ‖ digest) mod n, the challenge of an ECDAA signature (Part 1 Annex C). */
export function ecdaaChallenge(nonceK: Uint8Array, digest: Uint8Array, hash = "sha256"): bigint {
  return mod(big(createHash(hash).update(nonceK).update(digest).digest()), N);
}

/** Whether s·A = R + T·X: the verifier's equation for each (base A, committed R = r·A, public X = d·A) pair. */
export function schnorrHolds(s: bigint, t: bigint, base: Point, committed: Point, publicPoint: Point): boolean {
  const left = multiply(s, base);
  const right = add(committed, multiply(t, publicPoint));
  return left !== undefined && right !== undefined && left.x === right.x && left.y === right.y;
}
