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
  withSession,
  type TPMS_CERTIFY_INFO,
  type TpmClient,
} from "../../../../tpm2/index.js";
import {
  NULL_SCHEME,
  atHandle,
  atParameter,
  createPrimary,
  scheme,
  signingKeyTemplate,
  startedTpm,
  storageKeyTemplate,
  verifiesWithNode,
} from "../key-fixture.js";

const QUALIFYING = Buffer.from("00ff55aa", "hex");

describe("TPM2_Certify", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  // the signer authorizes with an HMAC session, as tpm2-tools does for every password
  const certify = async (objectHandle: number, signHandle: number, inScheme = NULL_SCHEME) =>
    client.call("Certify", {
      handles: [objectHandle, signHandle],
      auths: [pw(), withSession(await client.startSession(), { attributes: 0 })],
      params: { qualifyingData: QUALIFYING, inScheme },
    });

  for (const kind of ["rsa", "ecc"] as const) {
    it(`${kind}: the AK signs the certified key's Name and qualified Name`, async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate(kind));
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      const out = await certify(key.handle, ak.handle);
      expect(out.rc).to.equal(TPM_RC.SUCCESS);
      const { certifyInfo, signature } = out.response!;
      expect(verifiesWithNode(ak.outPublic, certifyInfo, signature)).to.equal(true);
      const attest = unmarshal(TPMS_ATTEST, certifyInfo);
      expect(attest.type).to.equal(TPM_ST.ATTEST_CERTIFY);
      expect(Buffer.from(attest.extraData)).to.deep.equal(QUALIFYING);
      const certified = await client.run("ReadPublic", { handles: [key.handle], params: {} });
      const signer = await client.run("ReadPublic", { handles: [ak.handle], params: {} });
      const info = attest.attested as TPMS_CERTIFY_INFO;
      expect(Buffer.from(info.name)).to.deep.equal(Buffer.from(certified.name));
      expect(Buffer.from(info.qualifiedName)).to.deep.equal(Buffer.from(certified.qualifiedName));
      expect(Buffer.from(attest.qualifiedSigner)).to.deep.equal(Buffer.from(signer.qualifiedName));
    });
  }

  it("accepts the password session for both handles (ESYS_TR_PASSWORD twice)", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    const out = await client.call("Certify", {
      handles: [ak.handle, ak.handle],
      auths: [pw(), pw()],
      params: { qualifyingData: QUALIFYING, inScheme: NULL_SCHEME },
    });
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
  });

  it("with TPM_RH_NULL as signer gives an unsigned attestation naming TPM_RH_NULL", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    const out = await certify(key.handle, TPM_RH.NULL, scheme(TPM_ALG.ECDSA));
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response!.signature.sigAlg).to.equal(TPM_ALG.NULL);
    const attest = unmarshal(TPMS_ATTEST, out.response!.certifyInfo);
    expect(Buffer.from(attest.qualifiedSigner).toString("hex")).to.equal("40000007");
    expect(Buffer.from((attest.attested as TPMS_CERTIFY_INFO).name)).to.deep.equal(Buffer.from(key.name));
  });

  it("refuses a signer that cannot sign: TPM_RC_KEY + handle 2", async () => {
    const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
    const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
    expect((await certify(key.handle, srk.handle)).rc).to.equal(atHandle(TPM_RC.KEY, 2));
  });

  it("refuses a scheme the AK does not have: TPM_RC_SCHEME + parameter 2", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    expect((await certify(ak.handle, ak.handle, scheme(TPM_ALG.ECDSA, TPM_ALG.SHA384))).rc).to.equal(
      atParameter(TPM_RC.SCHEME, 2),
    );
  });

  it("refuses a certified handle that is not an object: TPM_RC_VALUE + handle 1", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    expect((await certify(TPM_RH.OWNER, ak.handle)).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
