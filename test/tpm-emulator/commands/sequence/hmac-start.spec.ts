import { expect } from "chai";
import { createHmac, randomBytes } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RH, pw, type TpmClient } from "../../../../tpm2/index.js";
import { EMPTY, atHandle, atParameter, createPrimary, hmacKeyTemplate, signingKeyTemplate, startedTpm } from "../key-fixture.js";
import { digestOf } from "./support.js";

describe("TPM2_HMAC_Start", () => {
  let client: TpmClient;
  before(async () => ({ client } = await startedTpm()));

  const hmacStart = (handle: number, hashAlg: number) =>
    client.call("HMAC_Start", { handles: [handle], auths: [pw()], params: { auth: EMPTY, hashAlg } });

  it("an HMAC sequence over several updates is node's HMAC, with the NULL ticket", async () => {
    const secret = randomBytes(32);
    const template = hmacKeyTemplate();
    template.objectAttributes &= ~TPMA_OBJECT.sensitiveDataOrigin;
    const key = await client.run("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { inSensitive: { userAuth: EMPTY, data: secret }, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
    });
    const started = await hmacStart(key.handle, TPM_ALG.NULL);
    expect(started.rc).to.equal(TPM_RC.SUCCESS);
    const data = randomBytes(2500);
    const out = await digestOf(client, started.handle!, data);
    expect(Buffer.from(out.response!.result).equals(createHmac("sha256", secret).update(data).digest())).to.equal(true);
    expect(out.response!.validation.hierarchy).to.equal(TPM_RH.NULL);
    expect((await hmacStart(key.handle, TPM_ALG.SHA1)).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
  });

  it("refuses a key that is not keyed-hash: TPM_RC_TYPE + H1", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await hmacStart(key.handle, TPM_ALG.SHA256)).rc).to.equal(atHandle(TPM_RC.TYPE, 1));
  });
});
