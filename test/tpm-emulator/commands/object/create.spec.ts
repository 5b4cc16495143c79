import { createHash, verify } from "node:crypto";
import { expect } from "chai";
import type {
  TpmClient} from "../../../../tpm2/index.js";
import {
  TPMA_OBJECT as O,
  TPMS_CREATION_DATA,
  TPM_ALG as A,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RC_S,
  TPM_RH,
  TPM_ST,
  marshal,
  pw,
  type TPMT_PUBLIC,
} from "../../../../tpm2/index.js";
import {
  AES128_CFB,
  STORAGE,
  creation,
  createAndLoad,
  createPrimary,
  ecdsaTemplate,
  eccTemplate,
  expectRc,
  publicKeyOf,
  rsaTemplate,
  rsassaTemplate,
  sealedTemplate,
  sensitive,
  srkTemplate,
  startTpm,
} from "./support.js";

const P1 = TPM_RC_P | TPM_RC_1;
const P2 = TPM_RC_P | (2 * TPM_RC_1);
const H1 = TPM_RC_1;
const MESSAGE = Buffer.from("signed by a key the TPM created");

/** Signs sha256(MESSAGE) with a loaded key through TPM2_Sign. */
async function signMessage(client: TpmClient, key: number, authValue: string | Uint8Array = new Uint8Array()) {
  return client.call("Sign", {
    handles: [key],
    auths: [pw(authValue)],
    params: {
      digest: createHash("sha256").update(MESSAGE).digest(),
      inScheme: { scheme: A.NULL, details: undefined },
      validation: { tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) },
    },
  });
}

function verifies(pub: TPMT_PUBLIC, signature: { sigAlg: number; signature: unknown }): boolean {
  const key = publicKeyOf(pub);
  if (signature.sigAlg === A.ECDSA) {
    const { signatureR, signatureS } = signature.signature as { signatureR: Uint8Array; signatureS: Uint8Array };
    const rs = Buffer.concat([signatureR, signatureS]);
    return verify("sha256", MESSAGE, { key, dsaEncoding: "ieee-p1363" }, rs);
  }
  return verify("sha256", MESSAGE, key, (signature.signature as { sig: Uint8Array }).sig);
}

describe("TPM2_Create", () => {
  it("creates an ECC P-256 signing key under an SRK whose signatures node:crypto verifies", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    const key = await createAndLoad(client, srk.handle, ecdsaTemplate());
    const signed = await client.run("Sign", {
      handles: [key.handle],
      auths: [pw()],
      params: {
        digest: createHash("sha256").update(MESSAGE).digest(),
        inScheme: { scheme: A.NULL, details: undefined },
        validation: { tag: TPM_ST.HASHCHECK, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) },
      },
    });
    expect(verifies(key.outPublic, signed.signature)).to.equal(true);
  });

  it("creates an RSA-2048 RSASSA signing key under an RSA SRK whose signatures node:crypto verifies", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, rsaTemplate(STORAGE, { symmetric: AES128_CFB }));
    const key = await createAndLoad(client, srk.handle, rsassaTemplate());
    expect(key.outPublic.unique).to.have.length(256);
    const signed = await signMessage(client, key.handle);
    expectRc(signed.rc, TPM_RC.SUCCESS);
    expect(verifies(key.outPublic, signed.response!.signature)).to.equal(true);
  });

  it("makes a fresh key every time, even from the same template", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    const a = await client.run("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    const b = await client.run("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    expect(a.outPublic.unique).to.not.deep.equal(b.outPublic.unique);
  });

  it("keeps the userAuth in the sensitive area: the key signs with it and refuses another", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    const created = await client.run("Create", {
      handles: [srk.handle],
      auths: [pw()],
      params: creation(ecdsaTemplate(), sensitive(Buffer.from("key password"))),
    });
    const loaded = await client.run("Load", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
    });
    expectRc((await signMessage(client, loaded.handle, "key password")).rc, TPM_RC.SUCCESS);
    const wrong = await signMessage(client, loaded.handle, "other password");
    expectRc(wrong.rc, TPM_RC.BAD_AUTH | TPM_RC_S | TPM_RC_1);
  });

  it("describes the parent in the creation data and tickets it in the parent's hierarchy", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate(), TPM_RH.ENDORSEMENT);
    const srkPublic = await client.run("ReadPublic", { handles: [srk.handle], params: {} });
    const out = await client.run("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    expect(Buffer.from(out.creationData.parentName)).to.deep.equal(Buffer.from(srk.name));
    expect(Buffer.from(out.creationData.parentQualifiedName)).to.deep.equal(Buffer.from(srkPublic.qualifiedName));
    expect(out.creationData.parentNameAlg).to.equal(A.SHA256);
    expect(Buffer.from(out.creationHash)).to.deep.equal(
      createHash("sha256").update(marshal(TPMS_CREATION_DATA, out.creationData)).digest(),
    );
    expect(out.creationTicket.hierarchy).to.equal(TPM_RH.ENDORSEMENT);
    expect(out.creationTicket.digest).to.have.length(64);
  });

  it("seals caller data in a KEYEDHASH object", async () => {
    const { tpm, client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    const secret = Buffer.from("the data to seal");
    const created = await client.run("Create", {
      handles: [srk.handle],
      auths: [pw()],
      params: creation(sealedTemplate(), sensitive(Buffer.alloc(0), secret)),
    });
    expect(Buffer.from(created.outPrivate).includes(secret)).to.equal(false);
    const loaded = await client.run("Load", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
    });
    expect(Buffer.from(tpm.runtime.requireObject(loaded.handle).sensitive!.sensitive)).to.deep.equal(secret);
  });

  it("rejects a parent that is not a storage key and templates the parent cannot protect", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    const signer = await createPrimary(client, ecdsaTemplate());
    const underSigner = await client.call("Create", {
      handles: [signer.handle],
      auths: [pw()],
      params: creation(ecdsaTemplate()),
    });
    expectRc(underSigner.rc, TPM_RC.TYPE | H1);

    const sha1Child = { ...eccTemplate(STORAGE, { symmetric: AES128_CFB }), nameAlg: A.SHA1 };
    const aes256Child = eccTemplate(STORAGE, { symmetric: { algorithm: A.AES, keyBits: 256, mode: A.CFB } });
    const cases: [string, TPMT_PUBLIC, ReturnType<typeof sensitive>, number][] = [
      ["data with sensitiveDataOrigin", ecdsaTemplate(), sensitive(Buffer.alloc(0), Buffer.from("x")), TPM_RC.ATTRIBUTES | P2],
      ["sealed object without data", sealedTemplate(), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["storage child with another nameAlg", sha1Child, sensitive(), TPM_RC.HASH | P2],
      ["storage child with another symmetric algorithm", aes256Child, sensitive(), TPM_RC.SYMMETRIC | P2],
      ["userAuth longer than the digest", ecdsaTemplate(), sensitive(Buffer.alloc(40, 7)), TPM_RC.SIZE | P1],
      ["duplicable child of a fixedTPM parent", ecdsaTemplate(ecdsaTemplate().objectAttributes & ~O.fixedTPM), sensitive(), TPM_RC.ATTRIBUTES | P2],
    ];
    for (const [what, template, inSensitive, rc] of cases) {
      const r = await client.call("Create", { handles: [srk.handle], auths: [pw()], params: creation(template, inSensitive) });
      expect(r.rc, what).to.not.equal(TPM_RC.SUCCESS);
      expectRc(r.rc, rc);
    }
  });

  it("needs a free object slot, as the reference implementation does", async () => {
    const { client } = await startTpm({ limits: { objectSlots: 3 } });
    const srk = await createPrimary(client, srkTemplate());
    await createPrimary(client, ecdsaTemplate());
    const ok = await client.call("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    expectRc(ok.rc, TPM_RC.SUCCESS);
    await createPrimary(client, ecdsaTemplate());
    const full = await client.call("Create", { handles: [srk.handle], auths: [pw()], params: creation(ecdsaTemplate()) });
    expect(full.rc).to.equal(0x902);
  });
});
