import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RH, pw, type TpmClient } from "../../../../tpm2/index.js";
import { atHandle, atParameter, storageKeyTemplate } from "../key-fixture.js";
import { aesTemplate } from "../symmetric/support.js";
import { createAndLoad, createPrimary, srkTemplate, startTpm } from "../object/support.js";
import { AES128_INNER, DUPLICABLE, NO_INNER, duplicableTemplate, duplicate, importUnder } from "./support.js";

describe("TPM2_Import", () => {
  let client: TpmClient;
  let srk: number;
  let rsaParent: number;
  let moved: { objectPublic: Parameters<typeof importUnder>[2]["objectPublic"]; duplicate: Buffer; inSymSeed: Buffer };
  before(async () => {
    ({ client } = await startTpm());
    srk = (await createPrimary(client, srkTemplate())).handle;
    rsaParent = (await createPrimary(client, storageKeyTemplate("rsa"))).handle;
    const key = await createAndLoad(client, srk, duplicableTemplate());
    const out = (await duplicate(client, key.handle, rsaParent)).response!;
    moved = { objectPublic: key.outPublic, duplicate: Buffer.from(out.duplicate), inSymSeed: Buffer.from(out.outSymSeed) };
    await client.flush(key.handle);
  });

  const params = (over: Partial<Parameters<typeof importUnder>[2]> = {}) => ({
    encryptionKey: Buffer.alloc(0),
    symmetricAlg: NO_INNER,
    ...moved,
    ...over,
  });

  it("refuses a tampered duplicate (TPM_RC_INTEGRITY + P3) and a seed for another parent (TPM_RC_FAILURE, as libtpms's OAEP)", async () => {
    const tampered = Buffer.from(moved.duplicate);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect((await importUnder(client, rsaParent, params({ duplicate: tampered }))).rc).to.equal(atParameter(TPM_RC.INTEGRITY, 3));
    const other = (await createPrimary(client, { ...storageKeyTemplate("rsa"), unique: Buffer.alloc(256, 1) })).handle;
    expect((await importUnder(client, other, params())).rc).to.equal(TPM_RC.FAILURE);
    await client.flush(other);
  });

  it("refuses a public area with fixedTPM or fixedParent: TPM_RC_ATTRIBUTES + P2", async () => {
    const objectPublic = { ...moved.objectPublic, objectAttributes: moved.objectPublic.objectAttributes | TPMA_OBJECT.fixedParent };
    expect((await importUnder(client, rsaParent, params({ objectPublic }))).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 2));
  });

  it("refuses a public area other than the duplicated one: TPM_RC_INTEGRITY + P3", async () => {
    const objectPublic = { ...moved.objectPublic, objectAttributes: moved.objectPublic.objectAttributes ^ TPMA_OBJECT.noDA };
    expect((await importUnder(client, rsaParent, params({ objectPublic }))).rc).to.equal(atParameter(TPM_RC.INTEGRITY, 3));
  });

  it("encryptedDuplication objects need the inner (TPM_RC_ATTRIBUTES + P1) and outer wrap (TPM_RC_ATTRIBUTES + P4)", async () => {
    const objectPublic = { ...moved.objectPublic, objectAttributes: moved.objectPublic.objectAttributes | TPMA_OBJECT.encryptedDuplication };
    expect((await importUnder(client, rsaParent, params({ objectPublic }))).rc).to.equal(atParameter(TPM_RC.ATTRIBUTES, 1));
    expect((await importUnder(client, rsaParent, params({ objectPublic, inSymSeed: Buffer.alloc(0), symmetricAlg: AES128_INNER, encryptionKey: Buffer.alloc(16) }))).rc).to.equal(
      atParameter(TPM_RC.ATTRIBUTES, 4),
    );
  });

  it("a symmetric parent takes a duplicate without outer wrap, and refuses a seed (TPM_RC_TYPE + H1)", async () => {
    const aesParent = (await createPrimary(client, { ...aesTemplate(128, TPM_ALG.CFB, TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent | TPMA_OBJECT.sensitiveDataOrigin | TPMA_OBJECT.userWithAuth | TPMA_OBJECT.noDA | TPMA_OBJECT.restricted | TPMA_OBJECT.decrypt) })).handle;
    expect((await importUnder(client, aesParent, params())).rc).to.equal(atHandle(TPM_RC.TYPE, 1));
    const key = await createAndLoad(client, srk, duplicableTemplate(DUPLICABLE));
    const innerKey = randomBytes(16);
    const out = (await duplicate(client, key.handle, TPM_RH.NULL, AES128_INNER, innerKey)).response!;
    const imported = await importUnder(client, aesParent, { encryptionKey: innerKey, objectPublic: key.outPublic, duplicate: out.duplicate, inSymSeed: Buffer.alloc(0), symmetricAlg: AES128_INNER });
    expect(imported.rc).to.equal(TPM_RC.SUCCESS);
    const loaded = await client.call("Load", { handles: [aesParent], auths: [pw()], params: { inPrivate: imported.response!.outPrivate, inPublic: key.outPublic } });
    expect(loaded.rc).to.equal(TPM_RC.SUCCESS);
  });
});
