import { expect } from "chai";
import { TPM_ALG, TPM_CC, TPM_ECC_CURVE, TPM_RC, TPM_RC_1, TPM_RC_P, buildCommand } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const NULL_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };

describe("TPM2_TestParms", () => {
  let t: StartedTpm;
  beforeEach(async () => {
    t = await startedTpm();
  });

  const test = (parameters: object) => t.client.call("TestParms", { params: { parameters: parameters as never } });

  it("accepts parameters this TPM supports", async () => {
    const rsa = { type: TPM_ALG.RSA, parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, keyBits: 2048, exponent: 0 } };
    const ecc = { type: TPM_ALG.ECC, parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, curveID: TPM_ECC_CURVE.NIST_P384, kdf: NULL_SCHEME } };
    const rsa3072 = { type: TPM_ALG.RSA, parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, keyBits: 3072, exponent: 0 } };
    const aes = { type: TPM_ALG.SYMCIPHER, parameters: { sym: { algorithm: TPM_ALG.AES, keyBits: 256, mode: TPM_ALG.CFB } } };
    for (const p of [rsa, rsa3072, ecc, aes]) expect((await test(p)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("names what it does not support", async () => {
    const rsa4096 = { type: TPM_ALG.RSA, parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, keyBits: 4096, exponent: 0 } };
    expect((await test(rsa4096)).rc).to.equal(TPM_RC.VALUE | TPM_RC_P | TPM_RC_1);
    const bn256 = { type: TPM_ALG.ECC, parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, curveID: TPM_ECC_CURVE.BN_P256, kdf: NULL_SCHEME } };
    expect((await test(bn256)).rc).to.equal(TPM_RC.CURVE | TPM_RC_P | TPM_RC_1);
    // Camellia has no schema on our side: the parameters go on the wire by hand (type, algorithm, keyBits, mode).
    const camellia = Buffer.alloc(8);
    [TPM_ALG.SYMCIPHER, TPM_ALG.CAMELLIA, 128, TPM_ALG.CFB].forEach((v, i) => camellia.writeUInt16BE(v, 2 * i));
    const response = Buffer.from(await t.tpm.execute(buildCommand(TPM_CC.TestParms, [], [], camellia)));
    expect(response.readUInt32BE(6)).to.equal(TPM_RC.SYMMETRIC | TPM_RC_P | TPM_RC_1);
  });
});
