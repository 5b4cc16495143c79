import { expect } from "chai";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, pw, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, atParameter, hmacKeyTemplate, createPrimary, startedTpm } from "../key-fixture.js";
import { CIPHER, NODE_MODE, aesKey } from "./support.js";
import { TPM_RH } from "../../../../tpm2/index.js";

const A = TPM_ALG;

function nodeCipher(encrypt: boolean, mode: number, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const name = `aes-${key.length * 8}-${NODE_MODE[mode]}`;
  const ivOrNull = mode === A.ECB ? null : iv;
  const c = encrypt ? createCipheriv(name, key, ivOrNull) : createDecipheriv(name, key, ivOrNull);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

describe("TPM2_EncryptDecrypt2", () => {
  let client: TpmClient;
  before(async () => ({ client } = await startedTpm()));

  const run = (keyHandle: number, inData: Buffer, decrypt: boolean, mode: number, ivIn: Buffer) =>
    client.call("EncryptDecrypt2", { handles: [keyHandle], auths: [pw()], params: { inData, decrypt, mode, ivIn } });

  for (const keyBytes of [16, 32]) {
    for (const mode of [A.CFB, A.CBC, A.CTR, A.OFB, A.ECB]) {
      it(`AES-${keyBytes * 8}-${NODE_MODE[mode]!.toUpperCase()}: cipher text as node:crypto's, decrypts back, and ivOut chains`, async () => {
        const key = randomBytes(keyBytes);
        const handle = await aesKey(client, key);
        const iv = mode === A.ECB ? Buffer.alloc(0) : randomBytes(16);
        const data = randomBytes(64);
        const enc = await run(handle, data, false, mode, iv);
        expect(enc.rc, `rc 0x${enc.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
        const cipherText = Buffer.from(enc.response!.outData);
        expect(cipherText.equals(nodeCipher(true, mode, key, iv, data))).to.equal(true);
        const dec = await run(handle, cipherText, true, mode, iv);
        expect(Buffer.from(dec.response!.outData).equals(data)).to.equal(true);
        // encrypting in two halves, the second with the first's ivOut, gives the same cipher text
        const first = await run(handle, data.subarray(0, 32), false, mode, iv);
        const second = await run(handle, data.subarray(32), false, mode, Buffer.from(first.response!.ivOut));
        expect(Buffer.concat([first.response!.outData, second.response!.outData]).equals(cipherText)).to.equal(true);
        await client.flush(handle);
      });
    }
  }

  it("CFB with a partial last block: ivOut is the next block's encrypted IV with the cipher text over its start (OpenSSL)", async () => {
    const key = randomBytes(16);
    const handle = await aesKey(client, key, A.CFB);
    const iv = randomBytes(16);
    const data = randomBytes(20);
    const out = await run(handle, data, false, A.NULL, iv);
    const cipherText = Buffer.from(out.response!.outData);
    expect(cipherText.equals(nodeCipher(true, A.CFB, key, iv, data))).to.equal(true);
    const expected = nodeCipher(true, A.ECB, key, Buffer.alloc(0), cipherText.subarray(0, 16));
    cipherText.subarray(16).copy(expected, 0);
    expect(Buffer.from(out.response!.ivOut).equals(expected)).to.equal(true);
    await client.flush(handle);
  });

  it("CTR: ivOut is the counter advanced by the blocks used", async () => {
    const handle = await aesKey(client, randomBytes(16), A.CTR);
    const iv = Buffer.alloc(16, 0xff);
    const out = await run(handle, randomBytes(17), false, A.CTR, iv);
    expect(Buffer.from(out.response!.ivOut).toString("hex")).to.equal(`${"0".repeat(31)}1`);
    await client.flush(handle);
  });

  describe("refusals", () => {
    let cfbKey: number;
    before(async () => (cfbKey = await aesKey(client, randomBytes(16), A.CFB)));

    it("a mode other than the key's: TPM_RC_MODE + parameter 3", async () => {
      expect((await run(cfbKey, randomBytes(16), false, A.CBC, randomBytes(16))).rc).to.equal(atParameter(TPM_RC.MODE, 3));
    });
    it("no mode at all: TPM_RC_MODE + parameter 3", async () => {
      const handle = await aesKey(client, randomBytes(16));
      expect((await run(handle, randomBytes(16), false, A.NULL, randomBytes(16))).rc).to.equal(atParameter(TPM_RC.MODE, 3));
      await client.flush(handle);
    });
    it("an IV of the wrong size (TPM_RC_SIZE + parameter 4), an IV with ECB too", async () => {
      expect((await run(cfbKey, randomBytes(16), false, A.NULL, randomBytes(8))).rc).to.equal(atParameter(TPM_RC.SIZE, 4));
      const ecb = await aesKey(client, randomBytes(16), A.ECB);
      expect((await run(ecb, randomBytes(16), false, A.NULL, randomBytes(16))).rc).to.equal(atParameter(TPM_RC.SIZE, 4));
      expect((await run(ecb, randomBytes(15), false, A.NULL, Buffer.alloc(0))).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
      await client.flush(ecb);
    });
    it("encryption with a key without sign, decryption with a key without decrypt: TPM_RC_ATTRIBUTES + handle 1", async () => {
      const decryptOnly = await aesKey(client, randomBytes(16), A.CFB, CIPHER & ~TPMA_OBJECT.sign);
      expect((await run(decryptOnly, randomBytes(16), false, A.NULL, randomBytes(16))).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
      expect((await run(decryptOnly, randomBytes(16), true, A.NULL, randomBytes(16))).rc).to.equal(TPM_RC.SUCCESS);
      await client.flush(decryptOnly);
      const encryptOnly = await aesKey(client, randomBytes(16), A.CFB, CIPHER & ~TPMA_OBJECT.decrypt);
      expect((await run(encryptOnly, randomBytes(16), true, A.NULL, randomBytes(16))).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
      await client.flush(encryptOnly);
    });
    it("a key that is not a SYMCIPHER: TPM_RC_KEY + handle 1", async () => {
      const hmacKey = await createPrimary(client, TPM_RH.OWNER, hmacKeyTemplate());
      expect((await run(hmacKey.handle, randomBytes(16), false, A.CFB, randomBytes(16))).rc).to.equal(atHandle(TPM_RC.KEY, 1));
      await client.flush(hmacKey.handle);
    });
  });
});
