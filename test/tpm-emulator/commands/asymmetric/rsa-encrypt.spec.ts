import { expect } from "chai";
import { constants, privateDecrypt } from "node:crypto";
import { TPM_RC, TPM_RH, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, atParameter, signingKeyTemplate, startedTpm } from "../key-fixture.js";
import { OAEP_SHA1, OAEP_SHA256, RAW, RSAES, externalRsaPublic, rsaDecrypt, rsaDecryptTemplate, rsaEncrypt, tpmKey } from "./support.js";

const MESSAGE = Buffer.from("encrypted by the TPM, read by node");
const LABEL = Buffer.from("my label\0");

describe("TPM2_RSA_Encrypt", () => {
  let client: TpmClient;
  let external: Awaited<ReturnType<typeof externalRsaPublic>>;
  before(async () => {
    ({ client } = await startedTpm());
    external = await externalRsaPublic(client);
  });

  it("OAEP-SHA256 with a label: node:crypto decrypts it with the private key", async () => {
    const out = await rsaEncrypt(client, external.handle, MESSAGE, OAEP_SHA256, LABEL);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response!.outData.length).to.equal(256);
    const plain = privateDecrypt({ key: external.privateKey, oaepHash: "sha256", oaepLabel: LABEL }, out.response!.outData);
    expect(plain.equals(MESSAGE)).to.equal(true);
  });

  it("OAEP-SHA1 without a label", async () => {
    const out = await rsaEncrypt(client, external.handle, MESSAGE, OAEP_SHA1);
    expect(privateDecrypt({ key: external.privateKey, oaepHash: "sha1" }, out.response!.outData).equals(MESSAGE)).to.equal(true);
  });

  it("RSAES-PKCS1-v1_5: the decrypted block is 00 02 PS 00 message", async () => {
    const out = await rsaEncrypt(client, external.handle, MESSAGE, RSAES);
    const block = privateDecrypt({ key: external.privateKey, padding: constants.RSA_NO_PADDING }, out.response!.outData);
    expect(block.subarray(0, 2).toString("hex")).to.equal("0002");
    const separator = block.indexOf(0, 2);
    expect(separator).to.be.greaterThan(9);
    expect(block.subarray(separator + 1).equals(MESSAGE)).to.equal(true);
  });

  it("NULL scheme: raw RSA of the message right-aligned in the modulus", async () => {
    const out = await rsaEncrypt(client, external.handle, MESSAGE, RAW);
    const block = privateDecrypt({ key: external.privateKey, padding: constants.RSA_NO_PADDING }, out.response!.outData);
    expect(block.subarray(256 - MESSAGE.length).equals(MESSAGE)).to.equal(true);
    expect(block.subarray(0, 256 - MESSAGE.length).every((b) => b === 0)).to.equal(true);
  });

  it("round-trips with TPM2_RSA_Decrypt on a TPM-made key", async () => {
    const key = await tpmKey(client, rsaDecryptTemplate());
    const encrypted = await rsaEncrypt(client, key.handle, MESSAGE, OAEP_SHA256, LABEL);
    const decrypted = await rsaDecrypt(client, key.handle, encrypted.response!.outData, OAEP_SHA256, LABEL);
    expect(Buffer.from(decrypted.response!.message).equals(MESSAGE)).to.equal(true);
    await client.flush(key.handle);
  });

  it("refuses a message too long for OAEP and a raw value not below the modulus: TPM_RC_FAILURE, as libtpms", async () => {
    expect((await rsaEncrypt(client, external.handle, Buffer.alloc(200, 1), OAEP_SHA256)).rc).to.equal(TPM_RC.FAILURE);
    expect((await rsaEncrypt(client, external.handle, Buffer.alloc(256, 0xff), RAW)).rc).to.equal(TPM_RC.FAILURE);
  });

  it("refuses an unterminated label (TPM_RC_VALUE + P3), a signing key (TPM_RC_ATTRIBUTES + H1), an ECC key (TPM_RC_KEY + H1) and a hierarchy (TPM_RC_VALUE + H1)", async () => {
    expect((await rsaEncrypt(client, external.handle, MESSAGE, OAEP_SHA256, Buffer.from("x"))).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
    const signer = await tpmKey(client, signingKeyTemplate("rsa"));
    expect((await rsaEncrypt(client, signer.handle, MESSAGE, OAEP_SHA256)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    await client.flush(signer.handle);
    const ecc = await tpmKey(client, signingKeyTemplate("ecc"));
    expect((await rsaEncrypt(client, ecc.handle, MESSAGE, OAEP_SHA256)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    await client.flush(ecc.handle);
    expect((await rsaEncrypt(client, TPM_RH.OWNER, MESSAGE, OAEP_SHA256)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
