import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { TPM_ALG, bytesToBigInt, hasRocaFingerprint, rsaModulusFromKey } from "../../tpm2/index.js";
import { deriveRocaRsaKey } from "../../tpm-emulator/crypto/index.js";

describe("tpm2/roca-fingerprint", function () {
  this.timeout(30_000);
  it("flags a ROCA-shaped modulus and not a normal one or a small number", () => {
    const weak = rsaModulusFromKey(deriveRocaRsaKey(Buffer.alloc(32, 3), TPM_ALG.SHA256, Buffer.alloc(32, 4), 2048).publicKey);
    const normal = rsaModulusFromKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
    expect(hasRocaFingerprint(bytesToBigInt(weak.modulus))).to.equal(true);
    expect(hasRocaFingerprint(bytesToBigInt(normal.modulus))).to.equal(false);
    expect(hasRocaFingerprint(65537n)).to.equal(false);
  });
});
