import { expect } from "chai";
import { TPM_ALG } from "../../../tpm2/constants.js";
import {
  aesCfbDecrypt,
  aesCfbEncrypt,
  aesDecrypt,
  aesEncrypt,
  decryptParameterCfb,
  encryptParameterCfb,
  kdfa,
  parameterCfbKey,
  xorObfuscate,
  xorParameter,
  type ParameterCipherContext,
} from "../../../tpm2/crypto/index.js";
import { kdfVectors } from "../../vectors/index.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");

// NIST SP 800-38A Appendix F.3.13 (CFB128-AES128) and F.3.17 (CFB128-AES256).
const IV = hex("000102030405060708090a0b0c0d0e0f");
const PLAINTEXT = hex(
  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" +
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
);
const KEY_128 = hex("2b7e151628aed2a6abf7158809cf4f3c");
const CIPHERTEXT_128 = hex(
  "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b" +
    "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6",
);
const KEY_256 = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
const CIPHERTEXT_256_TWO_BLOCKS = hex("dc7e84bfda79164b7ecd8486985d386039ffed143b28b1c832113c6331e5407b");

describe("tpm2/crypto/symmetric", function () {
  describe("AES", function () {
    it("encrypts and decrypts the NIST SP 800-38A CFB128 known answers", function () {
      expect(aesCfbEncrypt(KEY_128, IV, PLAINTEXT)).to.deep.equal(CIPHERTEXT_128);
      expect(aesCfbDecrypt(KEY_128, IV, CIPHERTEXT_128)).to.deep.equal(PLAINTEXT);
      expect(aesCfbEncrypt(KEY_256, IV, PLAINTEXT.subarray(0, 32))).to.deep.equal(CIPHERTEXT_256_TWO_BLOCKS);
    });

    it("handles CFB data that is not a whole number of blocks (a TPM2B of any size)", function () {
      const odd = PLAINTEXT.subarray(0, 21);
      const encrypted = aesCfbEncrypt(KEY_128, IV, odd);
      expect(encrypted).to.deep.equal(CIPHERTEXT_128.subarray(0, 21));
      expect(aesCfbDecrypt(KEY_128, IV, encrypted)).to.deep.equal(odd);
    });

    it("round-trips AES-192 in every TPM mode, without padding", function () {
      const key = Buffer.alloc(24, 0x42);
      for (const mode of [TPM_ALG.CFB, TPM_ALG.CTR, TPM_ALG.OFB, TPM_ALG.CBC, TPM_ALG.ECB]) {
        const iv = mode === TPM_ALG.ECB ? null : IV;
        const encrypted = aesEncrypt(mode, key, iv, PLAINTEXT);
        expect(encrypted, `mode 0x${mode.toString(16)}`).to.have.length(PLAINTEXT.length);
        expect(encrypted.equals(PLAINTEXT)).to.equal(false);
        expect(aesDecrypt(mode, key, iv, encrypted)).to.deep.equal(PLAINTEXT);
      }
    });

    it("rejects bad key and IV sizes, unknown modes, and partial blocks in CBC", function () {
      expect(() => aesCfbEncrypt(Buffer.alloc(20), IV, PLAINTEXT)).to.throw(RangeError);
      expect(() => aesCfbEncrypt(KEY_128, IV.subarray(0, 8), PLAINTEXT)).to.throw(RangeError);
      expect(() => aesEncrypt(TPM_ALG.NULL, KEY_128, IV, PLAINTEXT)).to.throw(RangeError);
      expect(() => aesEncrypt(TPM_ALG.CBC, KEY_128, IV, PLAINTEXT.subarray(0, 20))).to.throw();
    });
  });

  describe("XOR obfuscation", function () {
    it("is data ⊕ KDFa(hash, key, XOR, contextU, contextV, bits) and its own inverse", function () {
      const key = Buffer.from("obfuscation key");
      const data = Buffer.from("a parameter to hide from the bus");
      const u = Buffer.alloc(16, 1);
      const v = Buffer.alloc(16, 2);
      const masked = xorObfuscate(TPM_ALG.SHA256, key, u, v, data);
      const mask = kdfa(TPM_ALG.SHA256, key, "XOR", u, v, data.length * 8);
      expect(masked).to.deep.equal(Buffer.from(data.map((b, i) => b ^ mask[i]!)));
      expect(xorObfuscate(TPM_ALG.SHA256, key, u, v, masked)).to.deep.equal(data);
    });
  });

  describe("parameter encryption", function () {
    const cfbVector = kdfVectors().kdfa.find((v) => v.note.startsWith("parameter encryption AES-128-CFB"));
    if (cfbVector === undefined) throw new Error("kdf.json lacks the parameter-encryption vector");
    const context: ParameterCipherContext = {
      hashAlg: TPM_ALG.SHA256,
      sessionKey: hex(cfbVector.key),
      authValue: Buffer.alloc(0),
      nonceNewer: hex(cfbVector.contextU),
      nonceOlder: hex(cfbVector.contextV),
    };

    it("derives the AES-128 key and IV as KDFa(…, CFB, nonceNewer, nonceOlder, 256) split 128/128", function () {
      const { key, iv } = parameterCfbKey(context, 128);
      expect(Buffer.concat([key, iv]).toString("hex")).to.equal(cfbVector.output);
      expect(key).to.have.length(16);
      expect(iv).to.have.length(16);
    });

    it("round-trips, and depends on the authValue but not on its trailing zeros", function () {
      const data = Buffer.from("NV data, 23 octets long");
      const withAuth = { ...context, authValue: Buffer.from("pw") };
      const encrypted = encryptParameterCfb(withAuth, 128, data);
      expect(encrypted).to.have.length(data.length);
      expect(decryptParameterCfb(withAuth, 128, encrypted)).to.deep.equal(data);
      const zeroPadded = { ...withAuth, authValue: Buffer.from("pw\0\0") };
      expect(encryptParameterCfb(zeroPadded, 128, data)).to.deep.equal(encrypted);
      expect(encryptParameterCfb(context, 128, data).equals(encrypted)).to.equal(false);
    });

    it("uses the nonces in order: the response direction (nonces swapped) gives another stream", function () {
      const data = Buffer.alloc(32, 0x55);
      const swapped = { ...context, nonceNewer: context.nonceOlder, nonceOlder: context.nonceNewer };
      expect(encryptParameterCfb(context, 128, data).equals(encryptParameterCfb(swapped, 128, data))).to.equal(false);
    });

    it("keys AES-256 parameter encryption with 256 + 128 bits of KDFa output", function () {
      const { key, iv } = parameterCfbKey(context, 256);
      const material = kdfa(TPM_ALG.SHA256, context.sessionKey, "CFB", context.nonceNewer, context.nonceOlder, 384);
      expect(key).to.deep.equal(material.subarray(0, 32));
      expect(iv).to.deep.equal(material.subarray(32));
      expect(() => parameterCfbKey(context, 64)).to.throw(RangeError);
    });

    it("XOR-obfuscates with sessionKey || authValue as the key, reversibly", function () {
      const data = Buffer.from("secret parameter");
      const withAuth = { ...context, authValue: Buffer.from("auth") };
      const masked = xorParameter(withAuth, data);
      expect(masked).to.deep.equal(
        xorObfuscate(
          TPM_ALG.SHA256,
          Buffer.concat([context.sessionKey, Buffer.from("auth")]),
          context.nonceNewer,
          context.nonceOlder,
          data,
        ),
      );
      expect(xorParameter(withAuth, masked)).to.deep.equal(data);
    });
  });
});
