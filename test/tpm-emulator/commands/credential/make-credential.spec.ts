import { expect } from "chai";
import { createPrivateKey, createPublicKey } from "node:crypto";
import {
  IDENTITY_LABEL,
  TPMA_OBJECT,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RC,
  TPM_RH,
  activateCredentialWithSeed,
  akTemplate,
  decodeCredentialFile,
  decryptSeed,
  ekTemplateEcc,
  encodeCredentialFile,
  type TPMT_PUBLIC,
  type TpmClient,
} from "../../../../tpm2/index.js";
import { vector, vectorText } from "../../../vectors/index.js";
import { EMPTY, NULL_SCHEME, atHandle, atParameter, createPrimary, startedTpm } from "../key-fixture.js";

const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };

/** The public area of a committed test key, as a restricted decryption key (what tpm2_makecredential -u builds). */
function testKeyPublic(alg: "rsa" | "ecc"): TPMT_PUBLIC {
  const jwk = createPublicKey(vectorText(`testkey_${alg}.pem`)).export({ format: "jwk" });
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: TPMA_OBJECT.restricted | TPMA_OBJECT.decrypt | TPMA_OBJECT.userWithAuth, authPolicy: EMPTY };
  return alg === "rsa"
    ? { ...common, type: TPM_ALG.RSA, parameters: { symmetric: AES128_CFB, scheme: NULL_SCHEME, keyBits: 2048, exponent: 0 }, unique: Buffer.from(jwk.n!, "base64url") }
    : {
        ...common,
        type: TPM_ALG.ECC,
        parameters: { symmetric: AES128_CFB, scheme: NULL_SCHEME, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NULL_SCHEME },
        unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
      };
}

describe("TPM2_MakeCredential", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const make = (handle: number, credential: Uint8Array, objectName: Uint8Array) =>
    client.call("MakeCredential", { handles: [handle], params: { credential, objectName } });

  for (const alg of ["rsa", "ecc"] as const) {
    it(`${alg}: wraps a credential for a loaded public key in tpm2-tools' shape; its private half opens it`, async () => {
      const pub = testKeyPublic(alg);
      const loaded = await client.run("LoadExternal", { params: { inPrivate: undefined, inPublic: pub, hierarchy: TPM_RH.OWNER } });
      const name = vector(`ak_${alg}.name`);
      const secret = vector("secret.bin");
      const out = await make(loaded.handle, secret, name);
      expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
      const { credentialBlob, secret: encSecret } = out.response!;
      const reference = decodeCredentialFile(vector(`cred_testkey_${alg}.bin`));
      expect(encodeCredentialFile({ credentialBlob: Buffer.from(credentialBlob), secret: Buffer.from(encSecret) })).to.have.length(
        encodeCredentialFile(reference).length,
      );
      const seed = decryptSeed(pub, createPrivateKey(vectorText(`testkey_${alg}.key`)), IDENTITY_LABEL, encSecret);
      const opened = activateCredentialWithSeed({ ekPublic: pub, seed, objectName: name, credentialBlob });
      expect(opened.toString("hex")).to.equal(secret.toString("hex"));
    });
  }

  it("makes a fresh seed every time", async () => {
    const ek = await createPrimary(client, TPM_RH.ENDORSEMENT, ekTemplateEcc());
    const a = await make(ek.handle, Buffer.alloc(16, 1), ek.name);
    const b = await make(ek.handle, Buffer.alloc(16, 1), ek.name);
    expect(Buffer.from(a.response!.secret)).to.not.deep.equal(Buffer.from(b.response!.secret));
  });

  it("refuses a credential longer than a digest of the key's nameAlg: TPM_RC_SIZE + parameter 1", async () => {
    const ek = await createPrimary(client, TPM_RH.ENDORSEMENT, ekTemplateEcc());
    expect((await make(ek.handle, Buffer.alloc(33), ek.name)).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
    expect((await make(ek.handle, Buffer.alloc(32), ek.name)).rc).to.equal(TPM_RC.SUCCESS);
  });

  it("refuses a key that is not an asymmetric restricted decryption key: TPM_RC_TYPE + handle 1", async () => {
    const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
    expect((await make(ak.handle, Buffer.alloc(16), ak.name)).rc).to.equal(atHandle(TPM_RC.TYPE, 1));
  });

  it("refuses a handle that is not an object: TPM_RC_VALUE + handle 1", async () => {
    expect((await make(TPM_RH.OWNER, Buffer.alloc(16), Buffer.alloc(34))).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });
});
