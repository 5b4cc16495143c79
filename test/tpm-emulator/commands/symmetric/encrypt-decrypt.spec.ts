import { expect } from "chai";
import { createCipheriv, randomBytes } from "node:crypto";
import { TPM_ALG, TPM_RC, pw, type TpmClient } from "../../../../tpm2/index.js";
import { atParameter, startedTpm } from "../key-fixture.js";
import { aesKey } from "./support.js";

const A = TPM_ALG;

describe("TPM2_EncryptDecrypt", () => {
  let client: TpmClient;
  let key: Buffer;
  let handle: number;
  before(async () => {
    ({ client } = await startedTpm());
    key = randomBytes(16);
    handle = await aesKey(client, key);
  });

  const run = (inData: Buffer, decrypt: boolean, mode: number, ivIn: Buffer) =>
    client.call("EncryptDecrypt", { handles: [handle], auths: [pw()], params: { decrypt, mode, ivIn, inData } });

  it("encrypts AES-128-CBC as node:crypto does and returns the last cipher block as ivOut", async () => {
    const iv = randomBytes(16);
    const data = randomBytes(48);
    const out = await run(data, false, A.CBC, iv);
    const cipher = createCipheriv("aes-128-cbc", key, iv).setAutoPadding(false);
    const expected = Buffer.concat([cipher.update(data), cipher.final()]);
    expect(Buffer.from(out.response!.outData).equals(expected)).to.equal(true);
    expect(Buffer.from(out.response!.ivOut).equals(expected.subarray(32))).to.equal(true);
    expect(Buffer.from((await run(expected, true, A.CBC, iv)).response!.outData).equals(data)).to.equal(true);
  });

  it("numbers its parameters in its own order: mode P2, ivIn P3, inData P4", async () => {
    expect((await run(randomBytes(16), false, A.NULL, randomBytes(16))).rc).to.equal(atParameter(TPM_RC.MODE, 2));
    expect((await run(randomBytes(16), false, A.CFB, randomBytes(4))).rc).to.equal(atParameter(TPM_RC.SIZE, 3));
    expect((await run(randomBytes(17), false, A.CBC, randomBytes(16))).rc).to.equal(atParameter(TPM_RC.SIZE, 4));
  });

  it("empty data: nothing out and the IV back unchanged", async () => {
    const iv = randomBytes(16);
    const out = await run(Buffer.alloc(0), false, A.CFB, iv);
    expect(out.response!.outData.length).to.equal(0);
    expect(Buffer.from(out.response!.ivOut).equals(iv)).to.equal(true);
  });
});
