import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { checkNoRocaFingerprint } from "../../../attestation-service/checks/roca-keys.js";
import { TPM_ALG, akTemplate, rsaModulusFromKey, type TPMT_PUBLIC } from "../../../tpm2/index.js";
import { deriveRocaRsaKey } from "../../../tpm-emulator/crypto/index.js";
import { expectCode } from "../support/expect-code.js";

function rsaPublic(modulus: Uint8Array): TPMT_PUBLIC {
  return { ...akTemplate("rsa"), unique: Buffer.from(modulus) };
}

describe("checks/roca-keys", function () {
  this.timeout(30_000);
  it("refuses an RSA key with ROCA-shaped primes (TPM_VULNERABLE_KEY)", async () => {
    const weak = deriveRocaRsaKey(Buffer.alloc(32, 1), TPM_ALG.SHA256, Buffer.alloc(32, 2), 2048);
    const { modulus } = rsaModulusFromKey(weak.publicKey);
    await expectCode(() => checkNoRocaFingerprint([{ what: "EK", publicArea: rsaPublic(modulus) }]), "TPM_VULNERABLE_KEY");
  });
  it("accepts a normal RSA key and ECC keys", () => {
    const { modulus } = rsaModulusFromKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey);
    expect(() => checkNoRocaFingerprint([{ what: "AK", publicArea: rsaPublic(modulus) }, { what: "EK", publicArea: akTemplate("ecc") }])).to.not.throw();
  });
});
