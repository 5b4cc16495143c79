import { expect } from "chai";
import { createECDH, createPrivateKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { TPM_ALG, TPM_ECC_CURVE, TPM_RC } from "../../../tpm2/constants.js";
import { TpmError } from "../../../tpm2/errors.js";
import {
  eccCurveInfo,
  eccKeyPairFromScalar,
  eccPointFromKey,
  eccPublicKeyFromPoint,
  eccScalarFromKey,
  ecdhZ,
  ecdhZFromScalar,
  ecdsaSignatureFromDer,
  ecdsaSignatureToDer,
  isEccCurve,
  kdfe,
} from "../../../tpm2/crypto/index.js";
import { vector } from "../../vectors/index.js";
import { openCredentialBlob, parseCredentialBlob } from "./credential-blob.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");
const P256 = TPM_ECC_CURVE.NIST_P256;
const P384 = TPM_ECC_CURVE.NIST_P384;

describe("tpm2/crypto/ecc", function () {
  it("knows NIST P-256, P-384 and P-521 and rejects other curves with TPM_RC_CURVE", function () {
    expect(eccCurveInfo(P256).byteLength).to.equal(32);
    expect(eccCurveInfo(P384).byteLength).to.equal(48);
    expect(isEccCurve(TPM_ECC_CURVE.BN_P256)).to.equal(false);
    expect(() => eccCurveInfo(TPM_ECC_CURVE.BN_P256)).to.throw(TpmError).with.property("rc", TPM_RC.CURVE);
  });

  for (const [curveId, nodeCurve] of [[P256, "P-256"], [P384, "P-384"]] as const) {
    it(`round-trips a ${nodeCurve} point through a KeyObject`, function () {
      const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: nodeCurve });
      const point = eccPointFromKey(publicKey);
      expect(point.curveId).to.equal(curveId);
      expect(point.x).to.have.length(eccCurveInfo(curveId).byteLength);
      const rebuilt = eccPublicKeyFromPoint(curveId, point.x, point.y);
      expect(rebuilt.equals(publicKey)).to.equal(true);
      expect(eccPointFromKey(privateKey)).to.deep.equal(point);
      const signature = sign("sha256", Buffer.from("msg"), privateKey);
      expect(verify("sha256", Buffer.from("msg"), rebuilt, signature)).to.equal(true);
    });
  }

  it("accepts coordinates without their leading zeros (a short TPM2B_ECC_PARAMETER) or with extra ones", function () {
    const scalar = (d: number): Buffer => Buffer.of(d >> 8, d & 0xff);
    let d = 1;
    let pair = eccKeyPairFromScalar(P256, scalar(d));
    while (pair.x[0] !== 0) pair = eccKeyPairFromScalar(P256, scalar(++d));
    const { x, y } = pair;
    expect(eccPointFromKey(eccPublicKeyFromPoint(P256, x.subarray(1), y)).x).to.deep.equal(x);
    expect(eccPointFromKey(eccPublicKeyFromPoint(P256, Buffer.concat([Buffer.of(0), x]), y)).x).to.deep.equal(x);
  });

  it("rejects a point that is not on the curve with TPM_RC_ECC_POINT", function () {
    expect(() => eccPublicKeyFromPoint(P256, Buffer.alloc(32, 1), Buffer.alloc(32, 2)))
      .to.throw(TpmError)
      .with.property("rc", TPM_RC.ECC_POINT);
    expect(() => eccPublicKeyFromPoint(P256, Buffer.alloc(33, 1), Buffer.alloc(32, 2)))
      .to.throw(TpmError)
      .with.property("rc", TPM_RC.ECC_POINT);
  });

  it("builds the key pair of a scalar: d = 1 gives the P-256 base point G", function () {
    const { x, y, privateKey, publicKey } = eccKeyPairFromScalar(P256, hex("01"));
    expect(x.toString("hex")).to.equal("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
    expect(y.toString("hex")).to.equal("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    expect(eccScalarFromKey(privateKey)).to.deep.equal(Buffer.concat([Buffer.alloc(31), hex("01")]));
    expect(eccPointFromKey(publicKey)).to.deep.equal({ curveId: P256, x, y });
  });

  it("rejects scalars outside [1, n − 1]", function () {
    const order = eccCurveInfo(P256).order;
    expect(() => eccKeyPairFromScalar(P256, Buffer.alloc(32))).to.throw(RangeError);
    expect(() => eccKeyPairFromScalar(P256, Buffer.from(order.toString(16), "hex"))).to.throw(RangeError);
  });

  it("ECDH Z is the shared x-coordinate, the same from both sides and as OpenSSL's ECDH", function () {
    const a = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const b = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const z = ecdhZ(a.privateKey, b.publicKey);
    expect(z).to.have.length(48);
    expect(ecdhZ(b.privateKey, a.publicKey)).to.deep.equal(z);
    const ecdh = createECDH("secp384r1");
    ecdh.setPrivateKey(eccScalarFromKey(a.privateKey));
    const bPoint = eccPointFromKey(b.publicKey);
    expect(ecdh.computeSecret(Buffer.concat([Buffer.of(4), bPoint.x, bPoint.y]))).to.deep.equal(z);
  });

  it("ECDH Z from a raw scalar equals Z from KeyObjects, with short coordinates left-padded", function () {
    const a = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const b = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const bPoint = eccPointFromKey(b.publicKey);
    const z = ecdhZFromScalar(P256, eccScalarFromKey(a.privateKey), bPoint.x, bPoint.y);
    expect(z).to.deep.equal(ecdhZ(a.privateKey, b.publicKey));
    const trimmed = (v: Buffer) => v.subarray(v.findIndex((o) => o !== 0));
    expect(ecdhZFromScalar(P256, trimmed(eccScalarFromKey(a.privateKey)), trimmed(bPoint.x), trimmed(bPoint.y))).to.deep.equal(z);
  });

  it("ECDH Z from a raw scalar refuses a point off the curve (TPM_RC_ECC_POINT) and a scalar out of range", function () {
    const a = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const d = eccScalarFromKey(a.privateKey);
    const { x, y } = eccPointFromKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const offCurve = Buffer.from(y);
    offCurve[31] = offCurve[31]! ^ 1;
    const rcOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof TpmError ? e.rc : -1;
      }
      return 0;
    };
    expect(rcOf(() => ecdhZFromScalar(P256, d, x, offCurve))).to.equal(TPM_RC.ECC_POINT);
    expect(rcOf(() => ecdhZFromScalar(P256, d, Buffer.concat([Buffer.of(1), x]), y))).to.equal(TPM_RC.ECC_POINT);
    expect(rcOf(() => ecdhZFromScalar(P256, d, Buffer.alloc(32), Buffer.alloc(32)))).to.equal(TPM_RC.ECC_POINT);
    const order = Buffer.from(eccCurveInfo(P256).order.toString(16), "hex");
    expect(() => ecdhZFromScalar(P256, order, x, y)).to.throw(RangeError);
    expect(() => ecdhZFromScalar(P256, Buffer.alloc(32), x, y)).to.throw(RangeError);
  });

  it("converts ECDSA signatures between DER and the TPM's raw r, s", function () {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const message = Buffer.from("attest");
    for (let i = 0; i < 16; i++) {
      const der = sign("sha256", message, privateKey);
      const { r, s } = ecdsaSignatureFromDer(der, P256);
      expect(r).to.have.length(32);
      expect(s).to.have.length(32);
      expect(ecdsaSignatureToDer(r, s)).to.deep.equal(der);
      const raw = Buffer.concat([r, s]);
      expect(verify("sha256", message, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)).to.equal(true);
    }
  });

  it("rejects malformed DER signatures", function () {
    expect(() => ecdsaSignatureFromDer(hex("3006020101020101ff"), P256)).to.throw(RangeError);
    expect(() => ecdsaSignatureFromDer(hex("3006020181020101"), P256)).to.throw(RangeError);
    expect(() => ecdsaSignatureFromDer(hex("3106020101020101"), P256)).to.throw(RangeError);
  });

  it("opens a credential that tpm2_makecredential made for a P-256 key (ECDH, KDFe IDENTITY)", function () {
    const blob = parseCredentialBlob(vector("cred_testkey_ecc.bin"));
    const xSize = blob.secret.readUInt16BE(0);
    const ephemeralX = blob.secret.subarray(2, 2 + xSize);
    const ephemeralY = blob.secret.subarray(4 + xSize);
    const privateKey = createPrivateKey(vector("testkey_ecc.key"));
    const z = ecdhZ(privateKey, eccPublicKeyFromPoint(P256, ephemeralX, ephemeralY));
    const seed = kdfe(TPM_ALG.SHA256, z, "IDENTITY", ephemeralX, eccPointFromKey(privateKey).x, 256);
    expect(openCredentialBlob(blob, seed, vector("ak_ecc.name"))).to.deep.equal(vector("secret.bin"));
  });
});
