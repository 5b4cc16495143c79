import { expect } from "chai";
import { constants, publicEncrypt, randomBytes } from "node:crypto";
import { TPMA_OBJECT, TPM_RC } from "../../../../tpm2/index.js";
import { atHandle, atParameter, nodePublicKey, signingKeyTemplate, startedTpm, storageKeyTemplate } from "../key-fixture.js";
import { OAEP_SHA1, OAEP_SHA256, RAW, RSAES, rsaDecrypt, rsaDecryptTemplate, tpmKey } from "./support.js";
import type { TpmClient } from "../../../../tpm2/index.js";

const MESSAGE = Buffer.from("a secret only the TPM key can read");
const LABEL = Buffer.from("label\0");

describe("TPM2_RSA_Decrypt", () => {
  let client: TpmClient;
  let key: Awaited<ReturnType<typeof tpmKey>>;
  before(async () => {
    ({ client } = await startedTpm());
    key = await tpmKey(client, rsaDecryptTemplate());
  });

  it("decrypts OAEP-SHA256 with a label that node:crypto encrypted to the key", async () => {
    const cipherText = publicEncrypt({ key: nodePublicKey(key.outPublic), oaepHash: "sha256", oaepLabel: LABEL }, MESSAGE);
    const out = await rsaDecrypt(client, key.handle, cipherText, OAEP_SHA256, LABEL);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(Buffer.from(out.response!.message).toString()).to.equal(MESSAGE.toString());
  });

  it("decrypts RSAES-PKCS1-v1_5", async () => {
    const cipherText = publicEncrypt({ key: nodePublicKey(key.outPublic), padding: constants.RSA_PKCS1_PADDING }, MESSAGE);
    const out = await rsaDecrypt(client, key.handle, cipherText, RSAES);
    expect(Buffer.from(out.response!.message).equals(MESSAGE)).to.equal(true);
  });

  it("with the NULL scheme returns the raw RSA block, as long as the modulus", async () => {
    const block = Buffer.concat([Buffer.alloc(1), randomBytes(255)]);
    const cipherText = publicEncrypt({ key: nodePublicKey(key.outPublic), padding: constants.RSA_NO_PADDING }, block);
    const out = await rsaDecrypt(client, key.handle, cipherText, RAW);
    expect(Buffer.from(out.response!.message).equals(block)).to.equal(true);
  });

  it("uses the key's own scheme when the caller passes NULL", async () => {
    const oaepKey = await tpmKey(client, rsaDecryptTemplate(OAEP_SHA1));
    const cipherText = publicEncrypt({ key: nodePublicKey(oaepKey.outPublic), oaepHash: "sha1" }, MESSAGE);
    const out = await rsaDecrypt(client, oaepKey.handle, cipherText, RAW);
    expect(Buffer.from(out.response!.message).equals(MESSAGE)).to.equal(true);
    expect((await rsaDecrypt(client, oaepKey.handle, cipherText, OAEP_SHA256)).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    await client.flush(oaepKey.handle);
  });

  it("refuses a label without its terminating zero: TPM_RC_VALUE + parameter 3", async () => {
    const cipherText = publicEncrypt({ key: nodePublicKey(key.outPublic), oaepHash: "sha256" }, MESSAGE);
    expect((await rsaDecrypt(client, key.handle, cipherText, OAEP_SHA256, Buffer.from("label"))).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
  });

  it("refuses a ciphertext of another label or padding: TPM_RC_FAILURE, as libtpms", async () => {
    const cipherText = publicEncrypt({ key: nodePublicKey(key.outPublic), oaepHash: "sha256", oaepLabel: LABEL }, MESSAGE);
    expect((await rsaDecrypt(client, key.handle, cipherText, OAEP_SHA256, Buffer.from("other\0"))).rc).to.equal(TPM_RC.FAILURE);
    expect((await rsaDecrypt(client, key.handle, cipherText, RSAES)).rc).to.equal(TPM_RC.FAILURE);
  });

  it("refuses a ciphertext shorter than the modulus: TPM_RC_SIZE", async () => {
    expect((await rsaDecrypt(client, key.handle, Buffer.alloc(255, 1), RAW)).rc).to.equal(TPM_RC.SIZE);
  });

  it("refuses a restricted key (TPM_RC_ATTRIBUTES), a key without decrypt (TPM_RC_ATTRIBUTES) and an ECC key (TPM_RC_KEY)", async () => {
    const storage = await tpmKey(client, storageKeyTemplate("rsa"));
    expect((await rsaDecrypt(client, storage.handle, Buffer.alloc(256, 1), RAW)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    await client.flush(storage.handle);
    const signer = await tpmKey(client, rsaDecryptTemplate(RAW, TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.sign));
    expect((await rsaDecrypt(client, signer.handle, Buffer.alloc(256, 1), RAW)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    await client.flush(signer.handle);
    const ecc = await tpmKey(client, signingKeyTemplate("ecc"));
    expect((await rsaDecrypt(client, ecc.handle, Buffer.alloc(256, 1), RAW)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    await client.flush(ecc.handle);
  });
});
