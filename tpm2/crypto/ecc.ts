import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type ECDH, type KeyObject } from "node:crypto";
import { TPM_ECC_CURVE, TPM_RC } from "../constants.js";
import { TpmError } from "../errors.js";

/** What the TPM needs to know about one ECC curve (Part 2 §6.4, Part 4 curve tables). */
export interface EccCurveInfo {
  /** The TPM_ECC_CURVE id. */
  readonly curveId: number;
  /** The curve name node:crypto (OpenSSL) understands. */
  readonly nodeName: string;
  /** The JWK "crv" value. */
  readonly jwkName: string;
  /** Octets of a coordinate, a scalar, and each half of a raw ECDSA signature. */
  readonly byteLength: number;
  /** The order n of the base point. */
  readonly order: bigint;
}

const CURVES: ReadonlyMap<number, EccCurveInfo> = new Map(
  [
    {
      curveId: TPM_ECC_CURVE.NIST_P256,
      nodeName: "prime256v1",
      jwkName: "P-256",
      byteLength: 32,
      order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    },
    {
      curveId: TPM_ECC_CURVE.NIST_P384,
      nodeName: "secp384r1",
      jwkName: "P-384",
      byteLength: 48,
      order:
        0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    },
    {
      curveId: TPM_ECC_CURVE.NIST_P521,
      nodeName: "secp521r1",
      jwkName: "P-521",
      byteLength: 66,
      order:
        0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    },
  ].map((info) => [info.curveId, info]),
);

/** True when `curveId` is a TPM_ECC_CURVE this library implements (NIST P-256, P-384, P-521). */
export function isEccCurve(curveId: number): boolean {
  return CURVES.has(curveId);
}

/** The registry entry of a curve. @throws TpmError TPM_RC_CURVE for an unimplemented curve. */
export function eccCurveInfo(curveId: number): EccCurveInfo {
  const info = CURVES.get(curveId);
  if (info === undefined) {
    throw new TpmError(TPM_RC.CURVE, { message: `unsupported ECC curve 0x${curveId.toString(16)}` });
  }
  return info;
}

const ecdhContexts = new Map<number, ECDH>();

/**
 * The process's reusable ECDH context of a curve, for raw point multiplications (k·G with setPrivateKey or
 * generateKeys). Creating an OpenSSL context costs about as much as the multiplication, so callers share one; each
 * call that sets a key must read what it needs before the next.
 */
export function ecdhContext(curve: EccCurveInfo): ECDH {
  let ecdh = ecdhContexts.get(curve.curveId);
  if (ecdh === undefined) ecdhContexts.set(curve.curveId, (ecdh = createECDH(curve.nodeName)));
  return ecdh;
}

function curveByJwkName(jwkName: string | undefined): EccCurveInfo {
  for (const info of CURVES.values()) if (info.jwkName === jwkName) return info;
  throw new TpmError(TPM_RC.CURVE, { message: `unsupported ECC curve ${jwkName ?? "(none)"}` });
}

/**
 * A big-endian integer as exactly `length` octets: shorter inputs are left-padded with zeros (a TPM2B_ECC_PARAMETER
 * may omit leading zeros), longer ones must only have zeros to drop. Returns null when the value does not fit.
 */
export function fixedLength(value: Uint8Array, length: number): Buffer | null {
  if (value.length === length) return Buffer.from(value);
  if (value.length < length) {
    const out = Buffer.alloc(length);
    out.set(value, length - value.length);
    return out;
  }
  const excess = value.length - length;
  for (let i = 0; i < excess; i++) if (value[i] !== 0) return null;
  return Buffer.from(value.subarray(excess));
}

function coordinate(value: Uint8Array, curve: EccCurveInfo): string {
  const fixed = fixedLength(value, curve.byteLength);
  if (fixed === null) throw new TpmError(TPM_RC.ECC_POINT, { message: "ECC coordinate larger than the field" });
  return fixed.toString("base64url");
}

/**
 * The public key at TPM point (x, y) on `curveId`.
 * @throws TpmError TPM_RC_CURVE for an unimplemented curve, TPM_RC_ECC_POINT when the point is not on it.
 */
export function eccPublicKeyFromPoint(curveId: number, x: Uint8Array, y: Uint8Array): KeyObject {
  const curve = eccCurveInfo(curveId);
  const jwk = { kty: "EC", crv: curve.jwkName, x: coordinate(x, curve), y: coordinate(y, curve) };
  try {
    return createPublicKey({ key: jwk, format: "jwk" });
  } catch {
    throw new TpmError(TPM_RC.ECC_POINT, { message: "point is not on the curve" });
  }
}

/** The TPM view of an EC key (public or private): its curve and public point, coordinates at full field size. */
export function eccPointFromKey(key: KeyObject): { curveId: number; x: Buffer; y: Buffer } {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "EC" || jwk.x === undefined || jwk.y === undefined) throw new TypeError("not an EC key");
  const curve = curveByJwkName(jwk.crv);
  return {
    curveId: curve.curveId,
    x: fixedLength(Buffer.from(jwk.x, "base64url"), curve.byteLength) ?? Buffer.alloc(0),
    y: fixedLength(Buffer.from(jwk.y, "base64url"), curve.byteLength) ?? Buffer.alloc(0),
  };
}

/** The private scalar of an EC private key, at full field size. */
export function eccScalarFromKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: "jwk" });
  if (jwk.kty !== "EC" || jwk.d === undefined) throw new TypeError("not an EC private key");
  const curve = curveByJwkName(jwk.crv);
  return fixedLength(Buffer.from(jwk.d, "base64url"), curve.byteLength) ?? Buffer.alloc(0);
}

/** An EC key pair and its public point. */
export interface EccKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The private scalar at the curve's size. */
  readonly d: Buffer;
  readonly x: Buffer;
  readonly y: Buffer;
}

/**
 * The key pair with private scalar `d` on `curveId` (the public point is computed from it).
 * @throws TpmError TPM_RC_CURVE for an unimplemented curve; RangeError unless 1 ≤ d < n.
 */
export function eccKeyPairFromScalar(curveId: number, d: Uint8Array): EccKeyPair {
  const curve = eccCurveInfo(curveId);
  const scalar = fixedLength(d, curve.byteLength);
  if (scalar === null) throw new RangeError("ECC private scalar out of range");
  const value = BigInt(`0x${scalar.toString("hex")}`);
  if (value === 0n || value >= curve.order) throw new RangeError("ECC private scalar out of range");
  const ecdh = ecdhContext(curve);
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 1 + curve.byteLength);
  const y = point.subarray(1 + curve.byteLength);
  const jwk = {
    kty: "EC",
    crv: curve.jwkName,
    x: x.toString("base64url"),
    y: y.toString("base64url"),
  };
  // KeyObjects are built on first use: importing them costs more than deriving the point, and a primary key's
  // creation needs only the point
  let privateKey: KeyObject | undefined;
  let publicKey: KeyObject | undefined;
  return {
    get privateKey() {
      return (privateKey ??= createPrivateKey({ key: { ...jwk, d: scalar.toString("base64url") }, format: "jwk" }));
    },
    get publicKey() {
      return (publicKey ??= createPublicKey({ key: jwk, format: "jwk" }));
    },
    d: Buffer.from(scalar),
    x: Buffer.from(x),
    y: Buffer.from(y),
  };
}

/**
 * The ECDH shared secret Z, Part 1 §11.4.10.3 / SP 800-56A: the x-coordinate of d·Q at full field size.
 * @throws when the keys are not on the same curve.
 */
export function ecdhZ(privateKey: KeyObject, peerPublicKey: KeyObject): Buffer {
  return diffieHellman({ privateKey, publicKey: peerPublicKey });
}

/** ECDH contexts holding a private scalar, most recently used last (a TPM's EKs, many TPMs in one process). */
const scalarContexts = new Map<string, ECDH>();
/** Contexts kept: enough for the TPMs a fleet worker or a benchmark interleaves. */
const SCALAR_CONTEXTS = 128;

/**
 * An ECDH context holding private scalar `scalar`. Contexts of recently used scalars are kept, so repeated exchanges
 * with one key (an EK activating credentials) skip setPrivateKey, which multiplies k·G.
 */
function scalarEcdhContext(curve: EccCurveInfo, scalar: Buffer): ECDH {
  const key = `${curve.curveId}:${scalar.toString("hex")}`;
  const held = scalarContexts.get(key);
  if (held !== undefined) {
    scalarContexts.delete(key);
    scalarContexts.set(key, held);
    return held;
  }
  const ecdh = createECDH(curve.nodeName);
  try {
    ecdh.setPrivateKey(scalar);
  } catch {
    throw new RangeError("ECC private scalar out of range");
  }
  scalarContexts.set(key, ecdh);
  if (scalarContexts.size > SCALAR_CONTEXTS) scalarContexts.delete(scalarContexts.keys().next().value!);
  return ecdh;
}

/** SEC 1 §2.3.3: the octet that starts an uncompressed point. */
const UNCOMPRESSED = Buffer.of(0x04);

/**
 * The ECDH shared secret Z of a raw private scalar `d` and the TPM point (x, y) on `curveId`: the x-coordinate of
 * d·Q at full field size (Part 1 §11.4.10.3), computed on a raw ECDH context: neither key is imported as a KeyObject.
 * @throws TpmError TPM_RC_CURVE for an unimplemented curve, TPM_RC_ECC_POINT when (x, y) is not on the curve;
 *   RangeError unless 1 ≤ d < n.
 */
export function ecdhZFromScalar(curveId: number, d: Uint8Array, x: Uint8Array, y: Uint8Array): Buffer {
  const curve = eccCurveInfo(curveId);
  const scalar = fixedLength(d, curve.byteLength);
  if (scalar === null) throw new RangeError("ECC private scalar out of range");
  const px = fixedLength(x, curve.byteLength);
  const py = fixedLength(y, curve.byteLength);
  if (px === null || py === null) throw new TpmError(TPM_RC.ECC_POINT, { message: "ECC coordinate larger than the field" });
  const ecdh = scalarEcdhContext(curve, scalar);
  try {
    return ecdh.computeSecret(Buffer.concat([UNCOMPRESSED, px, py]));
  } catch {
    throw new TpmError(TPM_RC.ECC_POINT, { message: "point is not on the curve" });
  }
}

function derLength(der: Uint8Array, at: number): { length: number; next: number } {
  const first = der[at];
  if (first === undefined) throw new RangeError("truncated DER");
  if (first < 0x80) return { length: first, next: at + 1 };
  const count = first & 0x7f;
  if (count === 0 || count > 2) throw new RangeError("unsupported DER length");
  let length = 0;
  for (let i = 1; i <= count; i++) {
    const octet = der[at + i];
    if (octet === undefined) throw new RangeError("truncated DER");
    length = length * 256 + octet;
  }
  if (length < 0x80) throw new RangeError("non-minimal DER length");
  return { length, next: at + 1 + count };
}

function derInteger(der: Uint8Array, at: number): { value: Uint8Array; next: number } {
  if (der[at] !== 0x02) throw new RangeError("expected a DER INTEGER");
  const { length, next } = derLength(der, at + 1);
  if (length === 0 || next + length > der.length) throw new RangeError("bad DER INTEGER");
  const value = der.subarray(next, next + length);
  if (value[0]! & 0x80) throw new RangeError("negative DER INTEGER");
  return { value, next: next + length };
}

/**
 * The TPM form of an ECDSA signature (TPMS_SIGNATURE_ECC: raw r and s, each at the curve's size) from the DER
 * `Ecdsa-Sig-Value` SEQUENCE { r INTEGER, s INTEGER } that X.509 and node's default encoding use.
 * @throws RangeError for malformed DER or values too large for the curve.
 */
export function ecdsaSignatureFromDer(der: Uint8Array, curveId: number): { r: Buffer; s: Buffer } {
  const curve = eccCurveInfo(curveId);
  if (der[0] !== 0x30) throw new RangeError("expected a DER SEQUENCE");
  const { length, next } = derLength(der, 1);
  if (next + length !== der.length) throw new RangeError("bad DER SEQUENCE length");
  const r = derInteger(der, next);
  const s = derInteger(der, r.next);
  if (s.next !== der.length) throw new RangeError("trailing data after ECDSA signature");
  const rFixed = fixedLength(r.value, curve.byteLength);
  const sFixed = fixedLength(s.value, curve.byteLength);
  if (rFixed === null || sFixed === null) throw new RangeError("ECDSA signature value too large for the curve");
  return { r: rFixed, s: sFixed };
}

function encodeDerLength(length: number): Buffer {
  if (length < 0x80) return Buffer.of(length);
  if (length < 0x100) return Buffer.of(0x81, length);
  return Buffer.of(0x82, length >> 8, length & 0xff);
}

function encodeDerInteger(value: Uint8Array): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const body = value.subarray(start);
  const content = body.length === 0 || body[0]! & 0x80 ? Buffer.concat([Buffer.of(0), body]) : Buffer.from(body);
  return Buffer.concat([Buffer.of(0x02), encodeDerLength(content.length), content]);
}

/** The DER `Ecdsa-Sig-Value` of a TPM ECDSA signature (raw big-endian r and s). */
export function ecdsaSignatureToDer(r: Uint8Array, s: Uint8Array): Buffer {
  const body = Buffer.concat([encodeDerInteger(r), encodeDerInteger(s)]);
  return Buffer.concat([Buffer.of(0x30), encodeDerLength(body.length), body]);
}
