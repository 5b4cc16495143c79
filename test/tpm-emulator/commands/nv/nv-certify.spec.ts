import { expect } from "chai";
import { createHash } from "node:crypto";
import { TPMS_ATTEST, TPM_ALG, TPM_RC, TPM_RH, TPM_ST, pw, unmarshal, type TPMT_SIG_SCHEME } from "../../../../tpm2/index.js";
import { NULL_SCHEME, createPrimary, scheme, signingKeyTemplate, storageKeyTemplate, verifiesWithNode } from "../key-fixture.js";
import { startedTpm, type StartedTpm } from "../session/support.js";
import { OWNER_RW, atHandle, atParameter, define, nvPublic, write } from "./support.js";

const INDEX = 0x01500090;
const CONTENTS = Buffer.from("certify these sixteen octets ok!");

function certify(t: StartedTpm, signer: number, size: number, offset: number, inScheme: TPMT_SIG_SCHEME = scheme(TPM_ALG.ECDSA)) {
  return t.client.call("NV_Certify", {
    handles: [signer, TPM_RH.OWNER, INDEX],
    auths: [pw(), pw()],
    params: { qualifyingData: Buffer.from("nonce"), inScheme, size, offset },
  });
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

describe("TPM2_NV_Certify", () => {
  let t: StartedTpm;
  let key: Awaited<ReturnType<typeof createPrimary>>;
  let name: Buffer;
  beforeEach(async () => {
    t = await startedTpm();
    key = await createPrimary(t.client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    await define(t, TPM_RH.OWNER, nvPublic(INDEX, OWNER_RW, CONTENTS.length));
    await write(t, TPM_RH.OWNER, INDEX, CONTENTS);
    name = Buffer.from((await t.client.run("NV_ReadPublic", { handles: [INDEX], params: {} })).nvName);
  });

  it("signs a TPMS_NV_CERTIFY_INFO of the selected octets that node:crypto verifies", async () => {
    const r = await certify(t, key.handle, 6, 8);
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    const bytes = Buffer.from(r.response!.certifyInfo);
    // the TPMU_ATTEST arm is the tail: indexName, offset, nvContents
    const tail = Buffer.concat([u16(name.length), name, u16(8), u16(6), CONTENTS.subarray(8, 14)]);
    expect(bytes.subarray(bytes.length - tail.length)).to.deep.equal(tail);
    const attest = unmarshal(TPMS_ATTEST, bytes);
    expect(attest.type).to.equal(TPM_ST.ATTEST_NV);
    expect(Buffer.from(attest.extraData).toString()).to.equal("nonce");
    expect(verifiesWithNode(key.outPublic, bytes, r.response!.signature)).to.equal(true);
  });

  it("certifies the digest of the whole index (TPMS_NV_DIGEST_CERTIFY_INFO) when size and offset are 0", async () => {
    const r = await certify(t, key.handle, 0, 0);
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    const bytes = Buffer.from(r.response!.certifyInfo);
    const digest = createHash("sha256").update(CONTENTS).digest();
    const tail = Buffer.concat([u16(name.length), name, u16(32), digest]);
    expect(bytes.subarray(bytes.length - tail.length)).to.deep.equal(tail);
    expect(unmarshal(TPMS_ATTEST, bytes).type).to.equal(TPM_ST.ATTEST_NV_DIGEST);
    expect(verifiesWithNode(key.outPublic, bytes, r.response!.signature)).to.equal(true);
  });

  it("gives an unsigned attestation with TPM_RH_NULL as signer", async () => {
    const r = await certify(t, TPM_RH.NULL, 4, 0, NULL_SCHEME);
    expect(r.rc).to.equal(TPM_RC.SUCCESS);
    expect(r.response!.signature.sigAlg).to.equal(TPM_ALG.NULL);
  });

  it("refuses a key that cannot sign, ranges beyond the index, and an index never written", async () => {
    const storage = await createPrimary(t.client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    expect((await certify(t, storage.handle, 4, 0)).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    expect((await certify(t, key.handle, 4, 0, NULL_SCHEME)).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    expect((await certify(t, key.handle, 8, CONTENTS.length - 4)).rc).to.equal(TPM_RC.NV_RANGE);
    await define(t, TPM_RH.OWNER, nvPublic(INDEX + 1, OWNER_RW, 8));
    const r = await t.client.call("NV_Certify", {
      handles: [key.handle, TPM_RH.OWNER, INDEX + 1],
      auths: [pw(), pw()],
      params: { qualifyingData: Buffer.alloc(0), inScheme: scheme(TPM_ALG.ECDSA), size: 0, offset: 0 },
    });
    expect(r.rc).to.equal(TPM_RC.NV_UNINITIALIZED);
  });
});
