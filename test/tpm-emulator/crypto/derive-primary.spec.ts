import { expect } from "chai";
import { checkPrimeSync, createHash, sign, verify, type KeyObject } from "node:crypto";
import { TPM_ALG, TPM_ECC_CURVE, TPM_RC } from "../../../tpm2/constants.js";
import { TpmError } from "../../../tpm2/errors.js";
import {
  bytesToBigInt,
  eccPointFromKey,
  eccPublicKeyFromPoint,
  rsaModulusFromKey,
} from "../../../tpm2/crypto/index.js";
import {
  SeededDrbg,
  deriveBytes,
  deriveEccKey,
  deriveRsaPrimeKey,
  deriveSeedValue,
  deriveSymmetricSeed,
} from "../../../tpm-emulator/crypto/index.js";

const SHA256 = TPM_ALG.SHA256;
const seedA = Buffer.alloc(32, 0xa1);
const seedB = Buffer.alloc(32, 0xb2);
const digestOf = (text: string): Buffer => createHash("sha256").update(text).digest();
const templateA = digestOf("RSA EK template L-1, unique all zeros");
const templateB = Buffer.from(templateA);
templateB[31] = templateB[31]! ^ 1;

// Derived keys are persisted in TPM states and certified by EK certificates: a change to the derivation (labels,
// DRBG, prime search, Miller-Rabin bases) silently changes every TPM's keys, so these values are pinned.
const PINNED_RSA_MODULUS_SHA256 = "1858854c0ea47b175ba7f92249de0d42b43636c3e193d56af2cd17c943de099a";
const PINNED_P256_X = "072064bbed4afe36a7292e3135c0bdd15814f9a2aaff063d26fc4d1682eb315a";

function rsaPrimes(privateKey: KeyObject): { p: bigint; q: bigint; e: bigint } {
  const jwk = privateKey.export({ format: "jwk" });
  const big = (v: string | undefined): bigint => bytesToBigInt(Buffer.from(v ?? "", "base64url"));
  return { p: big(jwk.p), q: big(jwk.q), e: big(jwk.e) };
}

function signsAndVerifies(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const message = Buffer.from("TPM2_Sign over a digest");
  return verify("sha256", message, publicKey, sign("sha256", message, privateKey));
}

describe("tpm-emulator/crypto/derive-primary", function () {
  describe("RSA", function () {
    const key = (seed: Buffer, template: Buffer, bits = 2048, exponent = 0) =>
      deriveRsaPrimeKey(seed, SHA256, template, bits, exponent);

    it("derives the same key from the same seed and template", function () {
      const first = key(seedA, templateA);
      const second = key(seedA, templateA);
      expect(second.modulus).to.deep.equal(first.modulus);
      expect(second.privateKey.equals(first.privateKey)).to.equal(true);
    });

    it("derives a different key for another seed or a template differing in one bit", function () {
      const base = key(seedA, templateA).modulus;
      expect(key(seedB, templateA).modulus.equals(base)).to.equal(false);
      expect(key(seedA, templateB).modulus.equals(base)).to.equal(false);
    });

    it("derives a valid RSA-2048 key: 2048-bit modulus, two distinct far-apart primes, e = 65537", function () {
      const { publicKey, privateKey, modulus } = key(seedA, templateA);
      expect(modulus).to.have.length(256);
      expect(modulus[0]! & 0x80).to.equal(0x80);
      expect(rsaModulusFromKey(publicKey)).to.deep.equal({ modulus, exponent: 0 });
      const { p, q, e } = rsaPrimes(privateKey);
      expect(e).to.equal(65537n);
      expect(p * q).to.equal(bytesToBigInt(modulus));
      expect(checkPrimeSync(p)).to.equal(true);
      expect(checkPrimeSync(q)).to.equal(true);
      expect((p > q ? p - q : q - p) > 1n << 924n).to.equal(true);
      expect(signsAndVerifies(privateKey, publicKey)).to.equal(true);
    });

    it("honours the key size and a non-default exponent", function () {
      const small = key(seedA, templateA, 1024, 3);
      expect(small.modulus).to.have.length(128);
      expect(small.modulus[0]! & 0x80).to.equal(0x80);
      expect(rsaModulusFromKey(small.publicKey).exponent).to.equal(3);
      expect(signsAndVerifies(small.privateKey, small.publicKey)).to.equal(true);
    });

    it("rejects unsupported sizes with TPM_RC_KEY_SIZE and even exponents with TPM_RC_VALUE", function () {
      expect(() => key(seedA, templateA, 1000)).to.throw(TpmError).with.property("rc", TPM_RC.KEY_SIZE);
      expect(() => key(seedA, templateA, 512)).to.throw(TpmError).with.property("rc", TPM_RC.KEY_SIZE);
      expect(() => key(seedA, templateA, 2048, 65536)).to.throw(TpmError).with.property("rc", TPM_RC.VALUE);
    });

    it("keeps deriving the keys of existing TPM states (pinned modulus digest)", function () {
      const { modulus } = key(Buffer.alloc(32, 1), digestOf("pinned template"));
      expect(createHash("sha256").update(modulus).digest("hex")).to.equal(PINNED_RSA_MODULUS_SHA256);
    });
  });

  describe("ECC", function () {
    for (const [curve, name] of [[TPM_ECC_CURVE.NIST_P256, "P-256"], [TPM_ECC_CURVE.NIST_P384, "P-384"]] as const) {
      it(`derives a ${name} key on the curve that signs and verifies`, function () {
        const derived = deriveEccKey(seedA, SHA256, templateA, curve);
        const onCurve = eccPublicKeyFromPoint(curve, derived.x, derived.y);
        expect(onCurve.equals(derived.publicKey)).to.equal(true);
        expect(eccPointFromKey(derived.privateKey)).to.deep.equal({ curveId: curve, x: derived.x, y: derived.y });
        expect(signsAndVerifies(derived.privateKey, onCurve)).to.equal(true);
      });
    }

    it("is deterministic and sensitive to the seed and the template", function () {
      const base = deriveEccKey(seedA, SHA256, templateA, TPM_ECC_CURVE.NIST_P256);
      expect(deriveEccKey(seedA, SHA256, templateA, TPM_ECC_CURVE.NIST_P256).x).to.deep.equal(base.x);
      expect(deriveEccKey(seedB, SHA256, templateA, TPM_ECC_CURVE.NIST_P256).x.equals(base.x)).to.equal(false);
      expect(deriveEccKey(seedA, SHA256, templateB, TPM_ECC_CURVE.NIST_P256).x.equals(base.x)).to.equal(false);
      expect(deriveEccKey(seedA, TPM_ALG.SHA384, templateA, TPM_ECC_CURVE.NIST_P256).x.equals(base.x)).to.equal(false);
    });

    it("rejects an unimplemented curve with TPM_RC_CURVE", function () {
      expect(() => deriveEccKey(seedA, SHA256, templateA, TPM_ECC_CURVE.BN_P256))
        .to.throw(TpmError)
        .with.property("rc", TPM_RC.CURVE);
    });

    it("keeps deriving the keys of existing TPM states (pinned point)", function () {
      const { x } = deriveEccKey(Buffer.alloc(32, 1), SHA256, digestOf("pinned template"), TPM_ECC_CURVE.NIST_P256);
      expect(x.toString("hex")).to.equal(PINNED_P256_X);
    });
  });

  describe("symmetric material and seedValue", function () {
    it("derives deterministic octets that depend on seed, template and purpose", function () {
      const base = deriveBytes(seedA, SHA256, templateA, "PURPOSE", 40);
      expect(base).to.have.length(40);
      expect(deriveBytes(seedA, SHA256, templateA, "PURPOSE", 40)).to.deep.equal(base);
      expect(deriveBytes(seedB, SHA256, templateA, "PURPOSE", 40).equals(base)).to.equal(false);
      expect(deriveBytes(seedA, SHA256, templateB, "PURPOSE", 40).equals(base)).to.equal(false);
      expect(deriveBytes(seedA, SHA256, templateA, "OTHER", 40).equals(base)).to.equal(false);
    });

    it("gives a seedValue of the nameAlg's digest size, independent of the symmetric key", function () {
      expect(deriveSeedValue(seedA, TPM_ALG.SHA384, templateA)).to.have.length(48);
      const seedValue = deriveSeedValue(seedA, SHA256, templateA);
      const symmetric = deriveSymmetricSeed(seedA, SHA256, templateA, 32);
      expect(seedValue).to.have.length(32);
      expect(symmetric).to.have.length(32);
      expect(symmetric.equals(seedValue)).to.equal(false);
    });

    it("refuses an empty template digest, which would make every template derive the same key", function () {
      expect(() => deriveBytes(seedA, SHA256, Buffer.alloc(0), "PURPOSE", 16)).to.throw(RangeError);
    });
  });

  describe("SeededDrbg", function () {
    it("streams distinct blocks and repeats the stream for the same key and context", function () {
      const a = new SeededDrbg(SHA256, seedA, "LABEL", templateA);
      const b = new SeededDrbg(SHA256, seedA, "LABEL", templateA);
      const first = a.next(64);
      expect(a.next(64).equals(first)).to.equal(false);
      expect(b.next(64)).to.deep.equal(first);
      expect(new SeededDrbg(SHA256, seedA, "OTHER", templateA).next(64).equals(first)).to.equal(false);
    });
  });
});
