import { createHash, createHmac } from "node:crypto";
import { expect } from "chai";
import {
  TPMA_OBJECT as O,
  TPMS_CREATION_DATA,
  TPMT_PUBLIC,
  TPM_ALG as A,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TPM_ST,
  marshal,
  pw,
  type TPMS_ECC_POINT,
  type TPMT_PUBLIC as Public,
} from "../../../../tpm2/index.js";
import { clearDerivedKeyCache } from "../../../../tpm-emulator/object-create.js";
import {
  AES128_CFB,
  EK_ATTRIBUTES,
  EK_POLICY,
  SIGNING,
  STORAGE,
  creation,
  createPrimary,
  ecdsaTemplate,
  eccTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  expectRc,
  publicKeyOf,
  rsaTemplate,
  sealedTemplate,
  sensitive,
  srkTemplate,
  startTpm,
  tpmReset,
} from "./support.js";

const SEED_A = Buffer.alloc(32, 0xa1);
const SEED_B = Buffer.alloc(32, 0xb2);
const P2 = TPM_RC_P | (2 * TPM_RC_1);

function nameOf(pub: Public): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0x0b]), createHash("sha256").update(marshal(TPMT_PUBLIC, pub)).digest()]);
}

async function ekOn(seed: Buffer, template: Public) {
  clearDerivedKeyCache();
  const { client } = await startTpm({ seed });
  return createPrimary(client, template, TPM_RH.ENDORSEMENT);
}

describe("TPM2_CreatePrimary", () => {
  it("derives the RSA-2048 EK (template L-1) from the endorsement seed: same seed, same key", async () => {
    const first = await ekOn(SEED_A, ekTemplateRsa());
    const again = await ekOn(SEED_A, ekTemplateRsa());
    const other = await ekOn(SEED_B, ekTemplateRsa());

    const modulus = Buffer.from(first.outPublic.unique as Uint8Array);
    expect(modulus).to.have.length(256);
    expect(modulus[0]! & 0x80).to.equal(0x80);
    expect(modulus.equals(Buffer.alloc(256))).to.equal(false);
    expect(first.outPublic.objectAttributes).to.equal(EK_ATTRIBUTES);
    expect(Buffer.from(first.outPublic.authPolicy)).to.deep.equal(EK_POLICY);
    expect(Buffer.from(again.outPublic.unique as Uint8Array)).to.deep.equal(modulus);
    expect(Buffer.from(other.outPublic.unique as Uint8Array)).to.not.deep.equal(modulus);
    expect(Buffer.from(first.name)).to.deep.equal(nameOf(first.outPublic));
    expect(Buffer.from(again.name)).to.deep.equal(Buffer.from(first.name));
    expect(publicKeyOf(first.outPublic).asymmetricKeyDetails?.modulusLength).to.equal(2048);
  });

  it("derives the ECC P-256 EK (template L-2) from the endorsement seed: same seed, same key", async () => {
    const first = await ekOn(SEED_A, ekTemplateEcc());
    const again = await ekOn(SEED_A, ekTemplateEcc());
    const other = await ekOn(SEED_B, ekTemplateEcc());

    const point = first.outPublic.unique as TPMS_ECC_POINT;
    expect(point.x).to.have.length(32);
    expect(point.y).to.have.length(32);
    expect(() => publicKeyOf(first.outPublic)).to.not.throw();
    expect(again.outPublic.unique).to.deep.equal(point);
    expect((other.outPublic.unique as TPMS_ECC_POINT).x).to.not.deep.equal(point.x);
    expect(Buffer.from(first.name)).to.deep.equal(nameOf(first.outPublic));
  });

  it("derives a new key for a new unique value and repeats the key for a repeated template", async () => {
    const { client } = await startTpm({ seed: SEED_A });
    const zero = await createPrimary(client, srkTemplate());
    const same = await createPrimary(client, srkTemplate());
    const unique = { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 1) };
    const other = await createPrimary(client, eccTemplate(STORAGE, { symmetric: AES128_CFB, unique }));
    expect(Buffer.from(same.name)).to.deep.equal(Buffer.from(zero.name));
    expect(other.outPublic.unique).to.not.deep.equal(zero.outPublic.unique);
    expect(same.handle).to.not.equal(zero.handle);
  });

  it("keys each hierarchy with its own seed, and the null hierarchy with one that a TPM Reset replaces", async () => {
    const started = await startTpm({ seed: SEED_A });
    const { client } = started;
    const owner = await createPrimary(client, srkTemplate(), TPM_RH.OWNER);
    const platform = await createPrimary(client, srkTemplate(), TPM_RH.PLATFORM);
    const nullBefore = await createPrimary(client, srkTemplate(), TPM_RH.NULL);
    expect(platform.outPublic.unique).to.not.deep.equal(owner.outPublic.unique);
    expect(nullBefore.outPublic.unique).to.not.deep.equal(owner.outPublic.unique);

    await tpmReset(started);
    const ownerAfter = await createPrimary(client, srkTemplate(), TPM_RH.OWNER);
    const nullAfter = await createPrimary(client, srkTemplate(), TPM_RH.NULL);
    expect(ownerAfter.outPublic.unique).to.deep.equal(owner.outPublic.unique);
    expect(nullAfter.outPublic.unique).to.not.deep.equal(nullBefore.outPublic.unique);
  });

  it("returns creation data, its hash and a creation ticket keyed with the hierarchy proof", async () => {
    const { tpm, client } = await startTpm();
    const outsideInfo = Buffer.from("outside info");
    const creationPCR = [{ hash: A.SHA256, pcrSelect: Buffer.from([0x07, 0x00, 0x00]) }];
    const out = await client.run("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { ...creation(srkTemplate()), outsideInfo, creationPCR },
    });

    const data = out.creationData;
    expect(Buffer.from(data.parentName)).to.deep.equal(Buffer.from("40000001", "hex"));
    expect(Buffer.from(data.parentQualifiedName)).to.deep.equal(Buffer.from("40000001", "hex"));
    expect(data.parentNameAlg).to.equal(A.NULL);
    expect(data.locality).to.equal(1);
    expect(Buffer.from(data.outsideInfo)).to.deep.equal(outsideInfo);
    expect(Buffer.from(data.pcrDigest)).to.deep.equal(createHash("sha256").update(Buffer.alloc(96)).digest());
    expect(Buffer.from(out.creationHash)).to.deep.equal(
      createHash("sha256").update(marshal(TPMS_CREATION_DATA, data)).digest(),
    );

    expect(out.creationTicket.tag).to.equal(TPM_ST.CREATION);
    expect(out.creationTicket.hierarchy).to.equal(TPM_RH.OWNER);
    const ticket = createHmac("sha512", tpm.runtime.state.owner.proof)
      .update(Buffer.from([0x80, 0x21]))
      .update(out.name)
      .update(out.creationHash)
      .digest();
    expect(Buffer.from(out.creationTicket.digest)).to.deep.equal(ticket);
  });

  it("creates KEYEDHASH and SYMCIPHER primaries, sealed data included, deterministically", async () => {
    const hmacKey: Public = {
      type: A.KEYEDHASH,
      nameAlg: A.SHA256,
      objectAttributes: SIGNING,
      authPolicy: Buffer.alloc(0),
      parameters: { scheme: { scheme: A.HMAC, details: { hashAlg: A.SHA256 } } },
      unique: Buffer.alloc(0),
    };
    const aesKey: Public = {
      type: A.SYMCIPHER,
      nameAlg: A.SHA256,
      objectAttributes: SIGNING & ~O.sign | O.decrypt,
      authPolicy: Buffer.alloc(0),
      parameters: { sym: AES128_CFB },
      unique: Buffer.alloc(0),
    };
    const names = async (seed: Buffer) => {
      const { client } = await startTpm({ seed, limits: { objectSlots: 8 } });
      const sealed = (data: string) =>
        client.run("CreatePrimary", {
          handles: [TPM_RH.OWNER],
          auths: [pw()],
          params: creation(sealedTemplate(), sensitive(Buffer.alloc(0), Buffer.from(data))),
        });
      return [
        (await createPrimary(client, hmacKey)).name,
        (await createPrimary(client, aesKey)).name,
        (await sealed("first secret")).name,
        (await sealed("second secret")).name,
      ].map((n) => Buffer.from(n).toString("hex"));
    };
    const a = await names(SEED_A);
    expect(new Set(a).size).to.equal(4);
    expect(await names(SEED_A)).to.deep.equal(a);
    expect(await names(SEED_B)).to.not.include.members([a[0], a[1], a[2]]);
  });

  it("rejects inconsistent templates with the reference implementation's response codes", async () => {
    const { client } = await startTpm();
    const ecdsa = { scheme: A.ECDSA, details: { hashAlg: A.SHA256 } };
    const cases: [string, Public, ReturnType<typeof sensitive>, number][] = [
      ["restricted decrypt without a symmetric algorithm", eccTemplate(STORAGE), sensitive(), TPM_RC.SYMMETRIC | P2],
      ["restricted sign and decrypt", eccTemplate(STORAGE | O.sign, { symmetric: AES128_CFB }), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["fixedTPM without fixedParent", eccTemplate(STORAGE & ~O.fixedParent, { symmetric: AES128_CFB }), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["signing key with a symmetric algorithm", eccTemplate(SIGNING, { symmetric: AES128_CFB, scheme: ecdsa }), sensitive(), TPM_RC.SYMMETRIC | P2],
      ["restricted signing key without a scheme", eccTemplate(SIGNING | O.restricted), sensitive(), TPM_RC.SCHEME | P2],
      ["ECC key with a KDF", eccTemplate(SIGNING, { scheme: ecdsa, kdf: { scheme: A.KDF1_SP800_56A, details: { hashAlg: A.SHA256 } } }), sensitive(), TPM_RC.KDF | P2],
      ["authPolicy of the wrong size", eccTemplate(SIGNING, { scheme: ecdsa, authPolicy: Buffer.alloc(20) }), sensitive(), TPM_RC.SIZE | P2],
      ["asymmetric key without sensitiveDataOrigin", eccTemplate(SIGNING & ~O.sensitiveDataOrigin, { scheme: ecdsa }), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["neither sign nor decrypt", eccTemplate(SIGNING & ~O.sign), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["encryptedDuplication with fixedTPM", eccTemplate(SIGNING | O.encryptedDuplication, { scheme: ecdsa }), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["sealed data object without data", sealedTemplate(), sensitive(), TPM_RC.ATTRIBUTES | P2],
      ["userAuth longer than the nameAlg digest", ecdsaTemplate(), sensitive(Buffer.alloc(33, 1)), TPM_RC.SIZE | TPM_RC_P | TPM_RC_1],
      ["RSA exponent below 65537", rsaTemplate(STORAGE, { symmetric: AES128_CFB, exponent: 3 }), sensitive(), TPM_RC.RANGE],
      ["RSA exponent not prime", rsaTemplate(STORAGE, { symmetric: AES128_CFB, exponent: 65541 }), sensitive(), TPM_RC.RANGE],
    ];
    for (const [what, template, inSensitive, rc] of cases) {
      const r = await client.call("CreatePrimary", {
        handles: [TPM_RH.OWNER],
        auths: [pw()],
        params: creation(template, inSensitive),
      });
      expect(r.rc, what).to.not.equal(TPM_RC.SUCCESS);
      expectRc(r.rc, rc);
    }
    const ok = await client.call("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: creation(ecdsaTemplate(), sensitive(Buffer.alloc(0), Buffer.from("extra entropy"))),
    });
    expectRc(ok.rc, TPM_RC.SUCCESS);
  });

  it("takes only a hierarchy as primaryHandle", async () => {
    const { client } = await startTpm();
    const srk = await createPrimary(client, srkTemplate());
    for (const handle of [TPM_RH.LOCKOUT, srk.handle]) {
      const r = await client.call("CreatePrimary", { handles: [handle], auths: [pw()], params: creation(srkTemplate()) });
      expectRc(r.rc, TPM_RC.VALUE | TPM_RC_1);
    }
  });

  it("answers TPM_RC_OBJECT_MEMORY when every object slot is taken", async () => {
    const { client } = await startTpm({ limits: { objectSlots: 3 } });
    for (let i = 0; i < 3; i++) await createPrimary(client, ecdsaTemplate());
    const r = await client.call("CreatePrimary", { handles: [TPM_RH.OWNER], auths: [pw()], params: creation(ecdsaTemplate()) });
    expect(r.rc).to.equal(0x902);
  });
});
