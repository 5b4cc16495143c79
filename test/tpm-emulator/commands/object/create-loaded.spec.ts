import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPMA_OBJECT, TPMT_PUBLIC, TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, TPM_RH, marshal, pw, type TpmClient } from "../../../../tpm2/index.js";
import { verifiesWithNode, NULL_HASHCHECK } from "../key-fixture.js";
import { SIGNING, ecdsaTemplate, expectRc, sensitive, srkTemplate, startTpm, createPrimary } from "./support.js";

const template = (t: TPMT_PUBLIC) => marshal(TPMT_PUBLIC, t);

describe("TPM2_CreateLoaded", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startTpm()));

  const createLoaded = (parent: number, t: Uint8Array, inSensitive = sensitive()) =>
    client.call("CreateLoaded", { handles: [parent], auths: [pw()], params: { inSensitive, inPublic: t } });

  it("under a hierarchy: the same primary key TPM2_CreatePrimary derives, loaded, with no private area", async () => {
    const out = await createLoaded(TPM_RH.OWNER, template(srkTemplate()));
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response!.outPrivate.length).to.equal(0);
    const primary = await createPrimary(client, srkTemplate());
    expect(Buffer.from(out.response!.name).equals(Buffer.from(primary.name))).to.equal(true);
    const read = await client.run("ReadPublic", { handles: [out.handle!], params: {} });
    expect(Buffer.from(read.name).equals(Buffer.from(primary.name))).to.equal(true);
  });

  it("under a storage parent: a loaded key that signs, and a private area TPM2_Load accepts", async () => {
    const srk = await createPrimary(client, srkTemplate());
    const out = await createLoaded(srk.handle, template(ecdsaTemplate()));
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const { outPrivate, outPublic, name } = out.response!;
    const message = Buffer.from("signed by a CreateLoaded key");
    const digest = createHash("sha256").update(message).digest();
    const sig = await client.run("Sign", { handles: [out.handle!], auths: [pw()], params: { digest, inScheme: { scheme: TPM_ALG.NULL, details: undefined }, validation: NULL_HASHCHECK } });
    expect(verifiesWithNode(outPublic, message, sig.signature)).to.equal(true);
    const loaded = await client.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: outPrivate, inPublic: outPublic } });
    expect(Buffer.from(loaded.name).equals(Buffer.from(name))).to.equal(true);
  });

  it("refuses a parent that is not a storage key (TPM_RC_TYPE + H1) and the lockout hierarchy (TPM_RC_VALUE + H1)", async () => {
    const signer = await createPrimary(client, ecdsaTemplate());
    expectRc((await createLoaded(signer.handle, template(ecdsaTemplate()))).rc, TPM_RC.TYPE | TPM_RC_H | TPM_RC_1);
    expectRc((await createLoaded(TPM_RH.LOCKOUT, template(ecdsaTemplate()))).rc, TPM_RC.VALUE | TPM_RC_H | TPM_RC_1);
  });

  it("refuses a malformed template and bad attributes on parameter 2, a long userAuth on parameter 1", async () => {
    const bytes = template(ecdsaTemplate());
    expectRc((await createLoaded(TPM_RH.OWNER, bytes.subarray(0, 10))).rc, TPM_RC.INSUFFICIENT | TPM_RC_P | (2 * TPM_RC_1));
    expectRc((await createLoaded(TPM_RH.OWNER, Buffer.concat([bytes, Buffer.of(0)]))).rc, TPM_RC.SIZE | TPM_RC_P | (2 * TPM_RC_1));
    const noSign = ecdsaTemplate(SIGNING & ~TPMA_OBJECT.sign);
    expectRc((await createLoaded(TPM_RH.OWNER, template(noSign))).rc, TPM_RC.ATTRIBUTES | TPM_RC_P | (2 * TPM_RC_1));
    expectRc((await createLoaded(TPM_RH.OWNER, bytes, sensitive(Buffer.alloc(40, 1)))).rc, TPM_RC.SIZE | TPM_RC_P | TPM_RC_1);
  });
});
