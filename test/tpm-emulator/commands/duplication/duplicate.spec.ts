import { expect } from "chai";
import { createECDH, createHash } from "node:crypto";
import { TPMA_OBJECT, TPMT_SENSITIVE, TPM_RC, TPM_RH, pw, unmarshal, withSession, type TPMS_ECC_POINT, type TpmClient } from "../../../../tpm2/index.js";
import { NULL_HASHCHECK, NULL_SCHEME, atHandle, atParameter, verifiesWithNode } from "../key-fixture.js";
import { atSession } from "../nv/support.js";
import { createAndLoad, createPrimary, srkTemplate, startTpm } from "../object/support.js";
import { storageKeyTemplate } from "../key-fixture.js";
import { AES128_INNER, DUPLICABLE, NO_INNER, duplicableTemplate, duplicate, importUnder } from "./support.js";

const MESSAGE = Buffer.from("signed by the key after its move");

describe("TPM2_Duplicate", () => {
  let client: TpmClient;
  let srk: number;
  beforeEach(async () => {
    ({ client } = await startTpm());
    srk = (await createPrimary(client, srkTemplate())).handle;
  });

  /** The imported key, loaded under `parent`, signs so that node verifies with the original public key. */
  async function expectMoved(parent: number, key: Awaited<ReturnType<typeof createAndLoad>>, outPrivate: Uint8Array) {
    const loaded = await client.run("Load", { handles: [parent], auths: [pw()], params: { inPrivate: outPrivate, inPublic: key.outPublic } });
    expect(Buffer.from(loaded.name).equals(Buffer.from(key.name))).to.equal(true);
    const digest = createHash("sha256").update(MESSAGE).digest();
    const sig = await client.run("Sign", { handles: [loaded.handle], auths: [pw()], params: { digest, inScheme: NULL_SCHEME, validation: NULL_HASHCHECK } });
    expect(verifiesWithNode(key.outPublic, MESSAGE, sig.signature)).to.equal(true);
  }

  for (const kind of ["rsa", "ecc"] as const) {
    for (const inner of [false, true]) {
      it(`moves a key to a ${kind} parent ${inner ? "with" : "without"} an inner wrap, and TPM2_Import takes it`, async () => {
        const key = await createAndLoad(client, srk, duplicableTemplate());
        const newParent = (await createPrimary(client, storageKeyTemplate(kind))).handle;
        const out = await duplicate(client, key.handle, newParent, inner ? AES128_INNER : undefined);
        expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
        const { encryptionKeyOut, duplicate: blob, outSymSeed } = out.response!;
        expect(encryptionKeyOut.length).to.equal(inner ? 16 : 0);
        expect(outSymSeed.length).to.be.greaterThan(0);
        const imported = await importUnder(client, newParent, {
          encryptionKey: encryptionKeyOut,
          objectPublic: key.outPublic,
          duplicate: blob,
          inSymSeed: outSymSeed,
          symmetricAlg: inner ? AES128_INNER : NO_INNER,
        });
        expect(imported.rc, `rc 0x${imported.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
        await expectMoved(newParent, key, imported.response!.outPrivate);
      });
    }
  }

  it("under PolicyDuplicationSelect without includeObject: the session still binds both Names (Part 3 §23.15)", async () => {
    const newParent = await createPrimary(client, storageKeyTemplate("ecc"));
    const newParentName = Buffer.from(newParent.name);
    const policy = createHash("sha256")
      .update(Buffer.alloc(32))
      .update(Buffer.from([0, 0, 0x01, 0x88]))
      .update(newParentName)
      .update(Buffer.from([0]))
      .digest();
    const key = await createAndLoad(client, srk, { ...duplicableTemplate(), authPolicy: policy });
    const attempt = async (target: number) => {
      const session = await client.startSession({ type: "policy" });
      const select = { objectName: key.name, newParentName, includeObject: false };
      await client.run("PolicyDuplicationSelect", { handles: [session.handle], params: select });
      const out = await client.call("Duplicate", {
        handles: [key.handle, target],
        auths: [withSession(session, { attributes: 0 })],
        params: { encryptionKeyIn: Buffer.alloc(0), symmetricAlg: NO_INNER },
      });
      if (session.live) await client.flush(session);
      return out.rc;
    };
    expect(await attempt(newParent.handle)).to.equal(TPM_RC.SUCCESS);
    const other = (await createPrimary(client, storageKeyTemplate("rsa"))).handle;
    expect(await attempt(other)).to.equal(atSession(TPM_RC.POLICY_FAIL, 1));
  });

  it("to TPM_RH_NULL without an inner wrap: the duplicate is the plain sensitive area, whose scalar gives the public point", async () => {
    const key = await createAndLoad(client, srk, duplicableTemplate());
    const out = await duplicate(client, key.handle, TPM_RH.NULL);
    expect(out.response!.outSymSeed.length).to.equal(0);
    const blob = Buffer.from(out.response!.duplicate);
    expect(blob.readUInt16BE(0)).to.equal(blob.length - 2);
    const sensitive = unmarshal(TPMT_SENSITIVE, blob.subarray(2));
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(sensitive.sensitive));
    const { x, y } = key.outPublic.unique as TPMS_ECC_POINT;
    expect(ecdh.getPublicKey().equals(Buffer.concat([Buffer.of(4), x, y]))).to.equal(true);
  });

  it("with the caller's inner key: returns it, and the duplicate opens only with it", async () => {
    const key = await createAndLoad(client, srk, duplicableTemplate());
    const innerKey = Buffer.alloc(16, 7);
    const out = await duplicate(client, key.handle, TPM_RH.NULL, AES128_INNER, innerKey);
    expect(Buffer.from(out.response!.encryptionKeyOut).equals(innerKey)).to.equal(true);
    const params = { encryptionKey: innerKey, objectPublic: key.outPublic, duplicate: out.response!.duplicate, inSymSeed: Buffer.alloc(0), symmetricAlg: AES128_INNER };
    expect((await importUnder(client, srk, params)).rc).to.equal(TPM_RC.SUCCESS);
    // a wrong key garbles the inner integrity's size field first (TPM_RC_SIZE), as in the reference code
    const wrong = (await importUnder(client, srk, { ...params, encryptionKey: Buffer.alloc(16, 8) })).rc;
    expect([atParameter(TPM_RC.SIZE, 3), atParameter(TPM_RC.INTEGRITY, 3)]).to.include(wrong);
  });

  it("refuses a fixedParent key (TPM_RC_ATTRIBUTES + H1) and a signing key as new parent (TPM_RC_TYPE + H2)", async () => {
    const fixed = await createAndLoad(client, srk, duplicableTemplate(DUPLICABLE | TPMA_OBJECT.fixedParent | TPMA_OBJECT.fixedTPM));
    expect((await duplicate(client, fixed.handle, TPM_RH.NULL)).rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    const key = await createAndLoad(client, srk, duplicableTemplate());
    expect((await duplicate(client, key.handle, key.handle)).rc).to.equal(atHandle(TPM_RC.TYPE, 2));
  });

  it("encryptedDuplication: needs an inner wrap (TPM_RC_SYMMETRIC + P2) and a new parent (TPM_RC_HIERARCHY + H2)", async () => {
    const key = await createAndLoad(client, srk, duplicableTemplate(DUPLICABLE | TPMA_OBJECT.encryptedDuplication));
    expect((await duplicate(client, key.handle, srk)).rc).to.equal(atParameter(TPM_RC.SYMMETRIC, 2));
    expect((await duplicate(client, key.handle, TPM_RH.NULL, AES128_INNER)).rc).to.equal(atHandle(TPM_RC.HIERARCHY, 2));
    expect((await duplicate(client, key.handle, srk, AES128_INNER)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses an inner key of the wrong size: TPM_RC_SIZE + P1", async () => {
    const key = await createAndLoad(client, srk, duplicableTemplate());
    expect((await duplicate(client, key.handle, srk, AES128_INNER, Buffer.alloc(15))).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
    expect((await duplicate(client, key.handle, srk, undefined, Buffer.alloc(16))).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
  });
});
