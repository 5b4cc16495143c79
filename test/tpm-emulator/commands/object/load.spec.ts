import { createHash } from "node:crypto";
import { expect } from "chai";
import { TPMA_OBJECT as O, TPM_ALG as A, TPM_RC, TPM_RC_1, TPM_RC_P, TPM_RH, pw } from "../../../../tpm2/index.js";
import {
  creation,
  createPrimary,
  ecdsaTemplate,
  eccTemplate,
  expectRc,
  srkTemplate,
  startTpm,
  type Started,
} from "./support.js";

const P1 = TPM_RC_P | TPM_RC_1;

async function withKey(opts: Parameters<typeof startTpm>[0] = {}) {
  const started: Started = await startTpm(opts);
  const srk = await createPrimary(started.client, srkTemplate());
  const key = await started.client.run("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
  const load = (inPrivate: Uint8Array, inPublic = key.outPublic, parent = srk.handle) =>
    started.client.call("Load", { handles: [parent], auths: [pw()], params: { inPrivate, inPublic } });
  return { ...started, srk, key, load };
}

describe("TPM2_Load", () => {
  it("loads a created key under its parent, with Name and qualified name", async () => {
    const { client, srk, key, load } = await withKey();
    const loaded = await load(key.outPrivate);
    expectRc(loaded.rc, TPM_RC.SUCCESS);
    const read = await client.run("ReadPublic", { handles: [loaded.handle!], params: {} });
    expect(Buffer.from(read.name)).to.deep.equal(Buffer.from(loaded.response!.name));
    const srkQn = (await client.run("ReadPublic", { handles: [srk.handle], params: {} })).qualifiedName;
    const qn = Buffer.concat([
      Buffer.from([0x00, 0x0b]),
      createHash("sha256").update(srkQn).update(read.name).digest(),
    ]);
    expect(Buffer.from(read.qualifiedName)).to.deep.equal(qn);
    expect(read.outPublic).to.deep.equal(key.outPublic);
  });

  it("refuses a tampered private area with TPM_RC_INTEGRITY on parameter 1", async () => {
    const { key, load } = await withKey();
    for (const at of [3, 40, key.outPrivate.length - 1]) {
      const tampered = Buffer.from(key.outPrivate);
      tampered[at] = tampered[at]! ^ 0x01;
      expectRc((await load(tampered)).rc, TPM_RC.INTEGRITY | P1);
    }
    expectRc((await load(Buffer.alloc(10))).rc, TPM_RC.INTEGRITY | P1);
  });

  it("binds the private area to its public area and its parent", async () => {
    const { client, key, load } = await withKey();
    const otherPublic = { ...key.outPublic, objectAttributes: key.outPublic.objectAttributes ^ O.noDA };
    expectRc((await load(key.outPrivate, otherPublic)).rc, TPM_RC.INTEGRITY | P1);
    const otherSrk = await createPrimary(client, srkTemplate(), TPM_RH.ENDORSEMENT);
    expectRc((await load(key.outPrivate, key.outPublic, otherSrk.handle)).rc, TPM_RC.INTEGRITY | P1);
  });

  it("loads nothing under a key that is not a storage parent", async () => {
    const { client, key, load } = await withKey();
    const signer = await createPrimary(client, ecdsaTemplate());
    expectRc((await load(key.outPrivate, key.outPublic, signer.handle)).rc, TPM_RC.TYPE | TPM_RC_1);
  });

  it("refuses an empty private area and a public area without nameAlg", async () => {
    const { key, load } = await withKey();
    expectRc((await load(Buffer.alloc(0))).rc, TPM_RC.SIZE | P1);
    const nameless = { ...eccTemplate(key.outPublic.objectAttributes), nameAlg: A.NULL };
    expectRc((await load(key.outPrivate, nameless)).rc, TPM_RC.HASH | TPM_RC_P | (2 * TPM_RC_1));
  });

  it("answers TPM_RC_OBJECT_MEMORY when every slot is taken", async () => {
    const { client, key, load } = await withKey({ limits: { objectSlots: 3 } });
    expectRc((await load(key.outPrivate)).rc, TPM_RC.SUCCESS);
    await createPrimary(client, ecdsaTemplate());
    expect((await load(key.outPrivate)).rc).to.equal(0x902);
  });
});
