import { expect } from "chai";
import { createHmac, randomBytes } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RH, pw, type TPMT_PUBLIC, type TpmClient } from "../../../../tpm2/index.js";
import { EMPTY, atHandle, atParameter, createPrimary, hmacKeyTemplate, signingKeyTemplate, startedTpm } from "../key-fixture.js";

/** A keyed-hash key with the given secret (sensitiveDataOrigin clear). */
async function hmacKey(client: TpmClient, secret: Buffer, template: TPMT_PUBLIC = hmacKeyTemplate()): Promise<number> {
  const inPublic = { ...template, objectAttributes: template.objectAttributes & ~TPMA_OBJECT.sensitiveDataOrigin };
  const out = await client.run("CreatePrimary", {
    handles: [TPM_RH.OWNER],
    auths: [pw()],
    params: { inSensitive: { userAuth: EMPTY, data: secret }, inPublic, outsideInfo: EMPTY, creationPCR: [] },
  });
  return out.handle;
}

/** sign and decrypt both set: the only keyed-hash signing key without a scheme of its own. */
const NULL_SCHEME_KEY = (): TPMT_PUBLIC => {
  const template = hmacKeyTemplate();
  return { ...template, objectAttributes: template.objectAttributes | TPMA_OBJECT.decrypt, parameters: { scheme: { scheme: TPM_ALG.NULL, details: undefined } } };
};

describe("TPM2_HMAC", () => {
  let client: TpmClient;
  before(async () => ({ client } = await startedTpm()));

  const run = (handle: number, buffer: Buffer, hashAlg: number) =>
    client.call("HMAC", { handles: [handle], auths: [pw()], params: { buffer, hashAlg } });

  it("is node's HMAC with the key's secret and the key's hash (hashAlg NULL or the same)", async () => {
    const secret = randomBytes(32);
    const handle = await hmacKey(client, secret);
    const data = randomBytes(1000);
    const expected = createHmac("sha256", secret).update(data).digest();
    expect(Buffer.from((await run(handle, data, TPM_ALG.NULL)).response!.outHMAC).equals(expected)).to.equal(true);
    expect(Buffer.from((await run(handle, data, TPM_ALG.SHA256)).response!.outHMAC).equals(expected)).to.equal(true);
    expect((await run(handle, data, TPM_ALG.SHA1)).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
    await client.flush(handle);
  });

  it("a key without a scheme takes the caller's hash, and needs one (TPM_RC_VALUE + P2)", async () => {
    const secret = randomBytes(20);
    const handle = await hmacKey(client, secret, NULL_SCHEME_KEY());
    const out = await run(handle, Buffer.from("data"), TPM_ALG.SHA384);
    expect(Buffer.from(out.response!.outHMAC).equals(createHmac("sha384", secret).update("data").digest())).to.equal(true);
    expect((await run(handle, Buffer.from("data"), TPM_ALG.NULL)).rc).to.equal(atParameter(TPM_RC.VALUE, 2));
    await client.flush(handle);
  });

  it("refuses an ECC key (TPM_RC_TYPE + H1) and a restricted HMAC key (TPM_RC_ATTRIBUTES + H1)", async () => {
    const ecc = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await run(ecc.handle, Buffer.from("x"), TPM_ALG.SHA256)).rc).to.equal(atHandle(TPM_RC.TYPE, 1));
    await client.flush(ecc.handle);
    const restricted = hmacKeyTemplate();
    restricted.objectAttributes |= TPMA_OBJECT.restricted;
    const key = await createPrimary(client, TPM_RH.OWNER, restricted);
    expect((await run(key.handle, Buffer.from("x"), TPM_ALG.SHA256)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    await client.flush(key.handle);
  });
});
