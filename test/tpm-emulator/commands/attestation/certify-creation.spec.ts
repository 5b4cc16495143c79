import { expect } from "chai";
import {
  TPMS_ATTEST,
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  akTemplate,
  pw,
  unmarshal,
  type TPMS_CREATION_INFO,
  type TPMT_TK_CREATION,
  type TpmClient,
} from "../../../../tpm2/index.js";
import {
  NULL_SCHEME,
  atHandle,
  atParameter,
  createPrimary,
  signingKeyTemplate,
  startedTpm,
  storageKeyTemplate,
  verifiesWithNode,
} from "../key-fixture.js";

const NONCE = Buffer.from("a nonce from the attestation service");

describe("TPM2_CertifyCreation", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const certifyCreation = (signHandle: number, objectHandle: number, creationHash: Uint8Array, creationTicket: TPMT_TK_CREATION) =>
    client.call("CertifyCreation", {
      handles: [signHandle, objectHandle],
      auths: [pw()],
      params: { qualifyingData: NONCE.subarray(0, 32), creationHash, inScheme: NULL_SCHEME, creationTicket },
    });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`${kind}: with CreatePrimary's ticket, the AK attests its own creation, verifiable with node:crypto`, async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate(kind));
      const out = await certifyCreation(ak.handle, ak.handle, ak.creationHash, ak.creationTicket);
      expect(out.rc).to.equal(TPM_RC.SUCCESS);
      const { certifyInfo, signature } = out.response!;
      expect(verifiesWithNode(ak.outPublic, certifyInfo, signature)).to.equal(true);
      const attest = unmarshal(TPMS_ATTEST, certifyInfo);
      expect(attest.type).to.equal(TPM_ST.ATTEST_CREATION);
      const info = attest.attested as TPMS_CREATION_INFO;
      expect(Buffer.from(info.objectName)).to.deep.equal(Buffer.from(ak.name));
      expect(Buffer.from(info.creationHash)).to.deep.equal(Buffer.from(ak.creationHash));
    });
  }

  it("certifies another key's creation, in another hierarchy", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect(key.creationTicket.hierarchy).to.equal(TPM_RH.OWNER);
    const out = await certifyCreation(ak.handle, key.handle, key.creationHash, key.creationTicket);
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    const info = unmarshal(TPMS_ATTEST, out.response!.certifyInfo).attested as TPMS_CREATION_INFO;
    expect(Buffer.from(info.objectName)).to.deep.equal(Buffer.from(key.name));
  });

  it("certifies an AK made with TPM2_Create under a storage key, with Create's ticket (the Windows AIK flow)", async () => {
    const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    const created = await client.run("Create", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) }, inPublic: akTemplate("ecc"), outsideInfo: Buffer.alloc(0), creationPCR: [] },
    });
    const ak = await client.run("Load", {
      handles: [srk.handle],
      auths: [pw()],
      params: { inPrivate: created.outPrivate, inPublic: created.outPublic },
    });
    const out = await certifyCreation(ak.handle, ak.handle, created.creationHash, created.creationTicket);
    expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
    expect(verifiesWithNode(created.outPublic, out.response!.certifyInfo, out.response!.signature)).to.equal(true);
    const info = unmarshal(TPMS_ATTEST, out.response!.certifyInfo).attested as TPMS_CREATION_INFO;
    expect(Buffer.from(info.objectName)).to.deep.equal(Buffer.from(ak.name));
  });

  describe("refuses", () => {
    it("a creationHash the ticket was not made for: TPM_RC_TICKET + parameter 4", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      const other = Buffer.from(ak.creationHash);
      other[0]! ^= 1;
      expect((await certifyCreation(ak.handle, ak.handle, other, ak.creationTicket)).rc).to.equal(atParameter(TPM_RC.TICKET, 4));
    });

    it("the ticket of another object: TPM_RC_TICKET + parameter 4", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      expect((await certifyCreation(ak.handle, key.handle, ak.creationHash, ak.creationTicket)).rc).to.equal(
        atParameter(TPM_RC.TICKET, 4),
      );
      const moved = { ...key.creationTicket, hierarchy: TPM_RH.ENDORSEMENT };
      expect((await certifyCreation(ak.handle, key.handle, key.creationHash, moved)).rc).to.equal(atParameter(TPM_RC.TICKET, 4));
      const nullTicket = { ...key.creationTicket, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) };
      expect((await certifyCreation(ak.handle, key.handle, key.creationHash, nullTicket)).rc).to.equal(
        atParameter(TPM_RC.TICKET, 4),
      );
    });

    it("a ticket naming no hierarchy: TPM_RC_VALUE + parameter 4", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      const bad = { ...ak.creationTicket, hierarchy: TPM_RH.LOCKOUT };
      expect((await certifyCreation(ak.handle, ak.handle, ak.creationHash, bad)).rc).to.equal(atParameter(TPM_RC.VALUE, 4));
    });

    it("a signer that cannot sign: TPM_RC_KEY + handle 1", async () => {
      const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
      expect((await certifyCreation(srk.handle, srk.handle, srk.creationHash, srk.creationTicket)).rc).to.equal(
        atHandle(TPM_RC.KEY, 1),
      );
    });

    it("no scheme from either the signer or the caller: TPM_RC_SCHEME + parameter 3", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      expect((await certifyCreation(key.handle, key.handle, key.creationHash, key.creationTicket)).rc).to.equal(
        atParameter(TPM_RC.SCHEME, 3),
      );
    });
  });

  it("still accepts the ticket after a TPM Reset (owner and endorsement proofs persist)", async () => {
    const { tpm, client: c } = await startedTpm();
    const ak = await createPrimary(c, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    tpm.reset();
    await c.run("Startup", { params: { startupType: 0 } });
    const again = await createPrimary(c, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    expect(Buffer.from(again.name)).to.deep.equal(Buffer.from(ak.name));
    const out = await c.call("CertifyCreation", {
      handles: [again.handle, again.handle],
      auths: [pw()],
      params: { qualifyingData: NONCE.subarray(0, 8), creationHash: ak.creationHash, inScheme: NULL_SCHEME, creationTicket: ak.creationTicket },
    });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(TPM_ALG.ECDSA).to.equal(out.response!.signature.sigAlg);
  });
});
