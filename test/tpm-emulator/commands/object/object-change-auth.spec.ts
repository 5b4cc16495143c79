import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RC_1, TPM_RC_H, TPM_RC_P, pw, type TpmClient } from "../../../../tpm2/index.js";
import { NULL_HASHCHECK } from "../key-fixture.js";
import { SIGNING, createAndLoad, createPrimary, ecdsaTemplate, expectRc, srkTemplate, startTpm } from "./support.js";

const DIGEST = createHash("sha256").update("x").digest();
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };

describe("TPM2_ObjectChangeAuth", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startTpm()));

  const sign = (handle: number, auth: string) =>
    client.call("Sign", { handles: [handle], auths: [pw(auth)], params: { digest: DIGEST, inScheme: NULL_SCHEME, validation: NULL_HASHCHECK } });

  it("returns a private area with the new authValue; the loaded object keeps the old one", async () => {
    const srk = await createPrimary(client, srkTemplate());
    const key = await createAndLoad(client, srk.handle, ecdsaTemplate(SIGNING & ~TPMA_OBJECT.noDA));
    const out = await client.call("ObjectChangeAuth", { handles: [key.handle, srk.handle], auths: [pw()], params: { newAuth: Buffer.from("new password") } });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect((await sign(key.handle, "")).rc).to.equal(TPM_RC.SUCCESS);
    const reloaded = await client.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: out.response!.outPrivate, inPublic: key.outPublic } });
    expect(Buffer.from(reloaded.name).equals(Buffer.from(key.name))).to.equal(true);
    expect((await sign(reloaded.handle, "new password")).rc).to.equal(TPM_RC.SUCCESS);
    expect((await sign(reloaded.handle, "")).rc).to.not.equal(TPM_RC.SUCCESS);
  });

  it("refuses a parent that is not the object's (TPM_RC_TYPE + H2) and an authValue longer than the nameAlg digest (TPM_RC_SIZE + P1)", async () => {
    const srk = await createPrimary(client, srkTemplate());
    const other = await createAndLoad(client, srk.handle, srkTemplate());
    const key = await createAndLoad(client, srk.handle, ecdsaTemplate());
    const change = (parent: number, newAuth: Buffer) => client.call("ObjectChangeAuth", { handles: [key.handle, parent], auths: [pw()], params: { newAuth } });
    expectRc((await change(other.handle, Buffer.from("x"))).rc, TPM_RC.TYPE | TPM_RC_H | (2 * TPM_RC_1));
    expectRc((await change(srk.handle, Buffer.alloc(33, 1))).rc, TPM_RC.SIZE | TPM_RC_P | TPM_RC_1);
  });
});
