import { expect } from "chai";
import { TPM_ALG, TPM_RC } from "../../../tpm2/constants.js";
import { TpmError } from "../../../tpm2/errors.js";
import { digestSize, hashDigest, hashInfo, hmac, isHashAlg } from "../../../tpm2/crypto/index.js";

const hex = (s: string): Buffer => Buffer.from(s, "hex");

describe("tpm2/crypto/hash", function () {
  it("knows SHA-1, SHA-256, SHA-384 and SHA-512 with their digest and block sizes", function () {
    expect([TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384, TPM_ALG.SHA512].map(digestSize)).to.deep.equal([
      20, 32, 48, 64,
    ]);
    expect(hashInfo(TPM_ALG.SHA384).blockSize).to.equal(128);
    expect(hashInfo(TPM_ALG.SHA256).blockSize).to.equal(64);
    expect(isHashAlg(TPM_ALG.SHA256)).to.equal(true);
    expect(isHashAlg(TPM_ALG.SM3_256)).to.equal(false);
    expect(isHashAlg(TPM_ALG.NULL)).to.equal(false);
  });

  it("rejects an unimplemented hash with TPM_RC_HASH", function () {
    for (const alg of [TPM_ALG.NULL, TPM_ALG.SM3_256, TPM_ALG.AES]) {
      expect(() => digestSize(alg)).to.throw(TpmError).with.property("rc", TPM_RC.HASH);
    }
  });

  it("hashes the concatenation of its parts (FIPS 180 'abc' vectors)", function () {
    expect(hashDigest(TPM_ALG.SHA256, Buffer.from("a"), Buffer.from(""), Buffer.from("bc")).toString("hex")).to.equal(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hashDigest(TPM_ALG.SHA1, Buffer.from("abc")).toString("hex")).to.equal(
      "a9993e364706816aba3e25717850c26c9cd0d89d",
    );
  });

  it("computes HMAC over the concatenation of its parts (RFC 4231 test case 2)", function () {
    const mac = hmac(TPM_ALG.SHA256, Buffer.from("Jefe"), Buffer.from("what do ya want "), Buffer.from("for nothing?"));
    expect(mac).to.deep.equal(hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  });
});
