import { expect } from "chai";
import { constants, createHash, publicEncrypt, randomBytes, verify } from "node:crypto";
import {
  EK_HIGH_RANGE_ATTRIBUTES,
  EK_POLICY_B_SHA384,
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPMT_PUBLIC,
  akTemplate,
  ekTemplateRsa3072,
  makeCredential,
  marshal,
  pw,
  rsaPublicKeyFromModulus,
  srkTemplate,
  unmarshal,
  withSession,
  type TPMT_SIG_SCHEME,
} from "../../tpm2/index.js";
import { clearDerivedKeyCache } from "../../tpm-emulator/object-create.js";
import { startedTpm, type StartedTpm } from "./commands/session/support.js";

const EMPTY = Buffer.alloc(0);
const noSensitive = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME: TPMT_SIG_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const NULL_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
const nullTicket = { tag: 0x8024, hierarchy: TPM_RH.NULL, digest: EMPTY };
const O = TPMA_OBJECT;

/** An unrestricted RSA-3072 key that signs or decrypts with any scheme the caller names. */
function rsa3072Template(use: "sign" | "decrypt"): TPMT_PUBLIC {
  return {
    type: TPM_ALG.RSA,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: O.fixedTPM | O.fixedParent | O.sensitiveDataOrigin | O.userWithAuth | (use === "sign" ? O.sign : O.decrypt),
    authPolicy: EMPTY,
    parameters: { symmetric: NULL_SYM, scheme: NULL_SCHEME, keyBits: 3072, exponent: 0 },
    unique: EMPTY,
  };
}

describe("RSA-3072 keys in the emulator", function () {
  this.timeout(20_000);
  let t: StartedTpm;
  let srk: number;

  before(async () => {
    t = await startedTpm();
    const primary = await t.client.run("CreatePrimary", {
      handles: [TPM_RH.OWNER],
      auths: [pw()],
      params: { inSensitive: noSensitive, inPublic: srkTemplate("ecc"), outsideInfo: EMPTY, creationPCR: [] },
    });
    srk = primary.handle;
  });

  async function createAndLoad(template: TPMT_PUBLIC): Promise<{ handle: number; modulus: Buffer }> {
    const created = await t.client.run("Create", {
      handles: [srk],
      auths: [pw()],
      params: { inSensitive: noSensitive, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
    });
    const loaded = await t.client.run("Load", { handles: [srk], auths: [pw()], params: { inPrivate: created.outPrivate, inPublic: created.outPublic } });
    return { handle: loaded.handle, modulus: Buffer.from(created.outPublic.unique as Uint8Array) };
  }

  it("creates and loads a 3072-bit key whose RSASSA and RSAPSS signatures node:crypto verifies", async () => {
    const key = await createAndLoad(rsa3072Template("sign"));
    expect(key.modulus).to.have.length(384);
    const publicKey = rsaPublicKeyFromModulus(key.modulus, 0);
    const message = Buffer.from("signed by a 3072-bit TPM key");
    const digest = createHash("sha384").update(message).digest();
    for (const [scheme, padding] of [
      [TPM_ALG.RSASSA, constants.RSA_PKCS1_PADDING],
      [TPM_ALG.RSAPSS, constants.RSA_PKCS1_PSS_PADDING],
    ] as const) {
      const signed = await t.client.run("Sign", {
        handles: [key.handle],
        auths: [pw()],
        params: { digest, inScheme: { scheme, details: { hashAlg: TPM_ALG.SHA384 } }, validation: nullTicket },
      });
      const { sig } = signed.signature.signature as { sig: Uint8Array };
      expect(sig).to.have.length(384);
      const options = { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
      expect(verify("sha384", message, options, sig), `scheme 0x${scheme.toString(16)}`).to.equal(true);
      const checked = await t.client.call("VerifySignature", { handles: [key.handle], params: { digest, signature: signed.signature } });
      expect(checked.rc).to.equal(TPM_RC.SUCCESS);
    }
    await t.client.flush(key.handle);
  });

  it("decrypts what node:crypto encrypts to it with OAEP, and decrypts its own RSA_Encrypt output", async () => {
    const key = await createAndLoad(rsa3072Template("decrypt"));
    const publicKey = rsaPublicKeyFromModulus(key.modulus, 0);
    const message = randomBytes(64);
    const label = Buffer.from("LABEL\0");
    const oaep = { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: label };
    const inScheme = { scheme: TPM_ALG.OAEP, details: { hashAlg: TPM_ALG.SHA256 } };
    const decrypted = await t.client.run("RSA_Decrypt", {
      handles: [key.handle],
      auths: [pw()],
      params: { cipherText: publicEncrypt(oaep, message), inScheme, label },
    });
    expect(Buffer.from(decrypted.message)).to.deep.equal(message);
    const encrypted = await t.client.run("RSA_Encrypt", { handles: [key.handle], params: { message, inScheme, label } });
    expect(encrypted.outData).to.have.length(384);
    const roundTrip = await t.client.run("RSA_Decrypt", {
      handles: [key.handle],
      auths: [pw()],
      params: { cipherText: encrypted.outData, inScheme, label },
    });
    expect(Buffer.from(roundTrip.message)).to.deep.equal(message);
    await t.client.flush(key.handle);
  });

  it("creates the H-6 EK (RSA 3072, SHA-384, AES-256-CFB) and activates a credential made for it", async () => {
    const ek = await t.client.run("CreatePrimary", {
      handles: [TPM_RH.ENDORSEMENT],
      auths: [pw()],
      params: { inSensitive: noSensitive, inPublic: ekTemplateRsa3072(), outsideInfo: EMPTY, creationPCR: [] },
    });
    expect(ek.outPublic.objectAttributes).to.equal(EK_HIGH_RANGE_ATTRIBUTES);
    expect(ek.outPublic.objectAttributes).to.equal(0x000300f2);
    expect(Buffer.from(ek.outPublic.authPolicy)).to.deep.equal(EK_POLICY_B_SHA384);
    expect(ek.outPublic.unique).to.have.length(384);
    expect(Buffer.from(ek.name).readUInt16BE(0)).to.equal(TPM_ALG.SHA384);
    // the same template derives the same key again
    clearDerivedKeyCache();
    const again = await t.client.run("CreatePrimary", {
      handles: [TPM_RH.ENDORSEMENT],
      auths: [pw()],
      params: { inSensitive: noSensitive, inPublic: ekTemplateRsa3072(), outsideInfo: EMPTY, creationPCR: [] },
    });
    expect(Buffer.from(again.outPublic.unique as Uint8Array)).to.deep.equal(Buffer.from(ek.outPublic.unique as Uint8Array));
    await t.client.flush(again.handle);

    const ak = await createAndLoad(akTemplate("rsa"));
    const akName = (await t.client.run("ReadPublic", { handles: [ak.handle], params: {} })).name;
    const secret = randomBytes(32);
    const credential = makeCredential({ ekPublic: ek.outPublic, objectName: akName, credential: secret });
    // userWithAuth: the high-range EK takes its (empty) authValue; the AK's is empty too
    const session = await t.client.startSession({ type: "hmac" });
    const activated = await t.client.run("ActivateCredential", {
      handles: [ak.handle, ek.handle],
      auths: [pw(), withSession(session)],
      params: { credentialBlob: credential.credentialBlob, secret: credential.secret },
    });
    expect(Buffer.from(activated.certInfo)).to.deep.equal(secret);
    await t.client.flush(session.handle);
    await t.client.flush(ak.handle);
    await t.client.flush(ek.handle);
  });

  it("quotes with an RSA-3072 signing key", async () => {
    const key = await createAndLoad(rsa3072Template("sign"));
    const quoted = await t.client.run("Quote", {
      handles: [key.handle],
      auths: [pw()],
      params: {
        qualifyingData: randomBytes(16),
        inScheme: { scheme: TPM_ALG.RSASSA, details: { hashAlg: TPM_ALG.SHA256 } },
        PCRselect: [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([1, 0, 0]) }],
      },
    });
    const { sig } = quoted.signature.signature as { sig: Uint8Array };
    expect(verify("sha256", quoted.quoted, rsaPublicKeyFromModulus(key.modulus, 0), sig)).to.equal(true);
    await t.client.flush(key.handle);
  });

  it("keeps a 3072-bit public area through marshal and unmarshal", () => {
    const template = { ...rsa3072Template("sign"), unique: randomBytes(384) };
    expect(unmarshal(TPMT_PUBLIC, marshal(TPMT_PUBLIC, template))).to.deep.equal(template);
  });

  it("derives the same H-6 EK on two TPMs manufactured from one seed", async () => {
    const ekOf = async (x: StartedTpm) =>
      (
        await x.client.run("CreatePrimary", {
          handles: [TPM_RH.ENDORSEMENT],
          auths: [pw()],
          params: { inSensitive: noSensitive, inPublic: ekTemplateRsa3072(), outsideInfo: EMPTY, creationPCR: [] },
        })
      ).outPublic.unique as Uint8Array;
    const a = await ekOf(await startedTpm({ seed: Buffer.alloc(32, 7) }));
    clearDerivedKeyCache();
    const b = await ekOf(await startedTpm({ seed: Buffer.alloc(32, 7) }));
    const c = await ekOf(await startedTpm({ seed: Buffer.alloc(32, 8) }));
    expect(Buffer.from(b)).to.deep.equal(Buffer.from(a));
    expect(Buffer.from(c).equals(Buffer.from(a))).to.equal(false);
  });
});
