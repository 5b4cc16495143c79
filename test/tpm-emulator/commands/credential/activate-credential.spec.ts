import { expect } from "chai";
import {
  TPM_RC,
  TPM_RH,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  makeCredential,
  pw,
  withSession,
  type TpmClient,
} from "../../../../tpm2/index.js";
import { atHandle, atParameter, createPrimary, ekPolicySession, startedTpm, storageKeyTemplate } from "../key-fixture.js";

const SECRET = Buffer.from("0123456789abcdef0123456789abcdef", "hex");

describe("TPM2_ActivateCredential", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const activate = async (akHandle: number, ekHandle: number, blob: { credentialBlob: Uint8Array; secret: Uint8Array }) =>
    client.call("ActivateCredential", {
      handles: [akHandle, ekHandle],
      auths: [pw(), withSession(await ekPolicySession(client), { attributes: 0 })],
      params: { credentialBlob: blob.credentialBlob, secret: blob.secret },
    });

  for (const kind of ["rsa", "ecc"] as const) {
    describe(`${kind.toUpperCase()} EK`, () => {
      let ek: Awaited<ReturnType<typeof createPrimary>>;
      let ak: Awaited<ReturnType<typeof createPrimary>>;
      beforeEach(async () => {
        ek = await createPrimary(client, TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc());
        ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate(kind));
      });

      it("opens a credential made in software for the EK and the AK's Name, under the EK's policy", async () => {
        const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
        const out = await activate(ak.handle, ek.handle, blob);
        expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
        expect(Buffer.from(out.response!.certInfo)).to.deep.equal(SECRET);
      });

      it("opens a credential TPM2_MakeCredential made with the loaded EK", async () => {
        const made = await client.run("MakeCredential", { handles: [ek.handle], params: { credential: SECRET, objectName: ak.name } });
        const out = await activate(ak.handle, ek.handle, made);
        expect(Buffer.from(out.response!.certInfo)).to.deep.equal(SECRET);
      });

      it("refuses with another AK loaded than the one named: TPM_RC_INTEGRITY + parameter 1", async () => {
        const other = await createPrimary(client, TPM_RH.OWNER, akTemplate(kind));
        const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
        expect((await activate(other.handle, ek.handle, blob)).rc).to.equal(atParameter(TPM_RC.INTEGRITY, 1));
      });

      it("refuses a modified credential blob: TPM_RC_INTEGRITY + parameter 1", async () => {
        const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
        for (const at of [3, blob.credentialBlob.length - 1]) {
          const changed = Buffer.from(blob.credentialBlob);
          changed[at]! ^= 0x01;
          expect((await activate(ak.handle, ek.handle, { ...blob, credentialBlob: changed })).rc).to.equal(
            atParameter(TPM_RC.INTEGRITY, 1),
          );
        }
      });

      it("refuses a credential made for another EK", async () => {
        const otherEk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate(kind));
        const blob = makeCredential({ ekPublic: otherEk.outPublic, objectName: ak.name, credential: SECRET });
        const rc = (await activate(ak.handle, ek.handle, blob)).rc;
        // RSA: the OAEP decryption fails, which libtpms reports as TPM_RC_FAILURE; ECC: a valid point, so another
        // seed and a failed integrity check
        expect(rc).to.equal(kind === "rsa" ? TPM_RC.FAILURE : atParameter(TPM_RC.INTEGRITY, 1));
      });

      it("refuses the AK as the decryption key: TPM_RC_TYPE + handle 2", async () => {
        const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
        const out = await client.call("ActivateCredential", {
          handles: [ak.handle, ak.handle],
          auths: [pw(), withSession(await client.startSession(), { attributes: 0 })],
          params: { credentialBlob: blob.credentialBlob, secret: blob.secret },
        });
        expect(out.rc).to.equal(atHandle(TPM_RC.TYPE, 2));
      });

      it("refuses an HMAC session instead of the EK's policy: TPM_RC_AUTH_UNAVAILABLE", async () => {
        const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
        const out = await client.call("ActivateCredential", {
          handles: [ak.handle, ek.handle],
          auths: [pw(), withSession(await client.startSession(), { attributes: 0 })],
          params: { credentialBlob: blob.credentialBlob, secret: blob.secret },
        });
        expect(out.rc).to.equal(TPM_RC.AUTH_UNAVAILABLE);
      });
    });
  }

  it("refuses an RSA secret that is not the modulus size (TPM_RC_SIZE + parameter 2) or does not decrypt", async () => {
    const ek = await createPrimary(client, TPM_RH.ENDORSEMENT, ekTemplateRsa());
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
    expect((await activate(ak.handle, ek.handle, { ...blob, secret: blob.secret.subarray(1) })).rc).to.equal(
      atParameter(TPM_RC.SIZE, 2),
    );
    expect((await activate(ak.handle, ek.handle, { ...blob, secret: Buffer.alloc(0) })).rc).to.equal(atParameter(TPM_RC.SIZE, 2));
    // libtpms answers a failed OAEP decryption with TPM_RC_FAILURE (no parameter number)
    const garbled = Buffer.from(blob.secret);
    garbled[garbled.length - 1]! ^= 0x01;
    expect((await activate(ak.handle, ek.handle, { ...blob, secret: garbled })).rc).to.equal(TPM_RC.FAILURE);
    // and the TPM still works afterwards
    expect(Buffer.from((await activate(ak.handle, ek.handle, blob)).response!.certInfo)).to.deep.equal(SECRET);
  });

  it("refuses an ECC secret whose point is not on the curve, or is cut short", async () => {
    const ek = await createPrimary(client, TPM_RH.ENDORSEMENT, ekTemplateEcc());
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const blob = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: SECRET });
    const offCurve = Buffer.from(blob.secret);
    offCurve[offCurve.length - 1]! ^= 0x01;
    expect((await activate(ak.handle, ek.handle, { ...blob, secret: offCurve })).rc).to.equal(atParameter(TPM_RC.ECC_POINT, 2));
    expect((await activate(ak.handle, ek.handle, { ...blob, secret: blob.secret.subarray(0, 40) })).rc).to.equal(
      atParameter(TPM_RC.INSUFFICIENT, 2),
    );
  });

  it("works with a storage key that takes a password as protector", async () => {
    const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    const ak = await createPrimary(client, TPM_RH.OWNER, akTemplate("ecc"));
    const blob = makeCredential({ ekPublic: srk.outPublic, objectName: ak.name, credential: SECRET });
    const out = await client.call("ActivateCredential", {
      handles: [ak.handle, srk.handle],
      auths: [pw(), withSession(await client.startSession(), { attributes: 0 })],
      params: { credentialBlob: blob.credentialBlob, secret: blob.secret },
    });
    expect(Buffer.from(out.response!.certInfo)).to.deep.equal(SECRET);
  });
});
