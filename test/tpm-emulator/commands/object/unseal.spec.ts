import { expect } from "chai";
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RC,
  TPM_RC_1,
  TPM_RH,
  TPM_SU,
  TpmClient,
  akTemplate,
  pw,
  srkTemplate,
  type TPMT_PUBLIC,
} from "../../../../tpm2/index.js";
import { TpmEmulator } from "../../../../tpm-emulator/index.js";

const EMPTY = Buffer.alloc(0);
const O = TPMA_OBJECT;

function sealedTemplate(): TPMT_PUBLIC {
  return {
    type: TPM_ALG.KEYEDHASH,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: O.fixedTPM | O.fixedParent | O.userWithAuth,
    authPolicy: EMPTY,
    parameters: { scheme: { scheme: TPM_ALG.NULL, details: undefined } },
    unique: EMPTY,
  };
}

describe("TPM2_Unseal", () => {
  async function setup() {
    const tpm = TpmEmulator.create();
    const c = new TpmClient((cmd) => tpm.execute(cmd));
    await c.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const srk = await c.run("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { inSensitive: { userAuth: EMPTY, data: EMPTY }, inPublic: srkTemplate("ecc"), outsideInfo: EMPTY, creationPCR: [] },
    });
    const load = async (t: TPMT_PUBLIC, data: Buffer, auth: Buffer) => {
      const k = await c.run("Create", {
        handles: [srk.handle],
        auths: [pw()],
        params: { inSensitive: { userAuth: auth, data }, inPublic: t, outsideInfo: EMPTY, creationPCR: [] },
      });
      return c.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: k.outPrivate, inPublic: k.outPublic } });
    };
    return { c, load };
  }

  it("returns the sealed data to its authValue, and refuses a wrong one", async () => {
    const { c, load } = await setup();
    const secret = Buffer.from("the disk encryption key, sealed");
    const sealed = await load(sealedTemplate(), secret, Buffer.from("pin"));
    const out = await c.run("Unseal", { handles: [sealed.handle], auths: [pw("pin")], params: {} });
    expect(Buffer.from(out.outData)).to.deep.equal(secret);
    const session = await c.startSession();
    const viaHmac = await c.run("Unseal", { handles: [sealed.handle], auths: [{ kind: "session", session, authValue: Buffer.from("pin"), attributes: 1 }], params: {} });
    expect(Buffer.from(viaHmac.outData)).to.deep.equal(secret);
    const wrong = await c.call("Unseal", { handles: [sealed.handle], auths: [pw("nip")], params: {} });
    expect(wrong.rc & 0xbf).to.equal(TPM_RC.AUTH_FAIL & 0xbf);
  });

  it("refuses keys: TPM_RC_TYPE for a non-KEYEDHASH object, TPM_RC_ATTRIBUTES for a signing KEYEDHASH", async () => {
    const { c, load } = await setup();
    const ecc = await load(akTemplate("ecc"), EMPTY, EMPTY);
    expect((await c.call("Unseal", { handles: [ecc.handle], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.TYPE | TPM_RC_1);
    const hmacKey = await load(
      { ...sealedTemplate(), objectAttributes: O.fixedTPM | O.fixedParent | O.userWithAuth | O.sign, parameters: { scheme: { scheme: TPM_ALG.HMAC, details: { hashAlg: TPM_ALG.SHA256 } } } },
      Buffer.alloc(32, 1),
      EMPTY,
    );
    expect((await c.call("Unseal", { handles: [hmacKey.handle], auths: [pw()], params: {} })).rc).to.equal(TPM_RC.ATTRIBUTES | TPM_RC_1);
  });
});
