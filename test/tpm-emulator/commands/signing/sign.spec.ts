import { expect } from "chai";
import { createHash, createHmac } from "node:crypto";
import { TPMA_OBJECT, TPM_ALG, TPM_RC, TPM_RH, akTemplate, pw, type TPMT_SIGNATURE, type TpmClient } from "../../../../tpm2/index.js";
import {
  EMPTY,
  NULL_HASHCHECK,
  NULL_SCHEME,
  atHandle,
  atParameter,
  createPrimary,
  hmacKeyTemplate,
  scheme,
  signingKeyTemplate,
  startedTpm,
  storageKeyTemplate,
  verifiesWithNode,
} from "../key-fixture.js";

const MESSAGE = Buffer.from("the message the caller hashed itself");
const digestOf = (alg: string, data: Buffer = MESSAGE) => createHash(alg).update(data).digest();

describe("TPM2_Sign", () => {
  let client: TpmClient;
  beforeEach(async () => ({ client } = await startedTpm()));

  const sign = (keyHandle: number, digest: Uint8Array, inScheme = NULL_SCHEME, validation = NULL_HASHCHECK) =>
    client.call("Sign", { handles: [keyHandle], auths: [pw()], params: { digest, inScheme, validation } });

  const signed = async (...args: Parameters<typeof sign>): Promise<TPMT_SIGNATURE> => {
    const out = await sign(...args);
    expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
    return out.response!.signature;
  };

  describe("with an unrestricted key and a NULL ticket", () => {
    const cases = [
      { kind: "rsa", alg: TPM_ALG.RSASSA, hash: TPM_ALG.SHA256, node: "sha256" },
      { kind: "rsa", alg: TPM_ALG.RSASSA, hash: TPM_ALG.SHA1, node: "sha1" },
      { kind: "rsa", alg: TPM_ALG.RSAPSS, hash: TPM_ALG.SHA256, node: "sha256" },
      { kind: "rsa", alg: TPM_ALG.RSAPSS, hash: TPM_ALG.SHA512, node: "sha512" },
      { kind: "ecc", alg: TPM_ALG.ECDSA, hash: TPM_ALG.SHA256, node: "sha256" },
      { kind: "ecc", alg: TPM_ALG.ECDSA, hash: TPM_ALG.SHA384, node: "sha384" },
    ] as const;
    for (const c of cases) {
      it(`${c.kind} ${c.node}: signs a digest so that node:crypto verifies it over the message`, async () => {
        const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate(c.kind));
        const signature = await signed(key.handle, digestOf(c.node), scheme(c.alg, c.hash));
        expect(signature.sigAlg).to.equal(c.alg);
        expect(verifiesWithNode(key.outPublic, MESSAGE, signature)).to.equal(true);
        expect(verifiesWithNode(key.outPublic, Buffer.from("another message"), signature)).to.equal(false);
      });
    }

    it("uses the key's own scheme when the caller passes NULL", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc", scheme(TPM_ALG.ECDSA, TPM_ALG.SHA256)));
      const signature = await signed(key.handle, digestOf("sha256"));
      expect(signature.sigAlg).to.equal(TPM_ALG.ECDSA);
      expect(verifiesWithNode(key.outPublic, MESSAGE, signature)).to.equal(true);
    });

    it("HMAC key: the signature is HMAC(key, digest) with the key's secret", async () => {
      // the caller supplies the HMAC key (sensitiveDataOrigin clear), so node:crypto can recompute the signature
      const secret = Buffer.from("an HMAC key of thirty-two bytes!");
      const template = hmacKeyTemplate();
      template.objectAttributes &= ~TPMA_OBJECT.sensitiveDataOrigin;
      const key = await client.run("CreatePrimary", {
        handles: [TPM_RH.OWNER],
        auths: [pw()],
        params: { inSensitive: { userAuth: EMPTY, data: secret }, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
      });
      const signature = await signed(key.handle, digestOf("sha256"));
      expect(signature.sigAlg).to.equal(TPM_ALG.HMAC);
      const mac = signature.signature as { hashAlg: number; digest: Uint8Array };
      expect(mac.hashAlg).to.equal(TPM_ALG.SHA256);
      expect(Buffer.from(mac.digest).toString("hex")).to.equal(
        createHmac("sha256", secret).update(digestOf("sha256")).digest("hex"),
      );
    });

    it("refuses a digest whose size is not the scheme hash's: TPM_RC_SIZE + parameter 1", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      expect((await sign(key.handle, digestOf("sha1"), scheme(TPM_ALG.ECDSA))).rc).to.equal(atParameter(TPM_RC.SIZE, 1));
    });
  });

  describe("with a restricted key", () => {
    const hash = (data: Buffer, hierarchy: number = TPM_RH.OWNER) =>
      client.run("Hash", { params: { data, hashAlg: TPM_ALG.SHA256, hierarchy } });

    for (const kind of ["rsa", "ecc"] as const) {
      it(`${kind}: signs a digest TPM2_Hash vouched for with its ticket`, async () => {
        const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate(kind));
        const { outHash, validation } = await hash(MESSAGE);
        const signature = await signed(ak.handle, outHash, NULL_SCHEME, validation);
        expect(verifiesWithNode(ak.outPublic, MESSAGE, signature)).to.equal(true);
      });
    }

    it("refuses a NULL ticket: TPM_RC_TICKET + parameter 3", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      expect((await sign(ak.handle, digestOf("sha256"))).rc).to.equal(atParameter(TPM_RC.TICKET, 3));
    });

    it("refuses a digest of data starting with TPM_GENERATED_VALUE, which gets only a NULL ticket", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      const forged = Buffer.concat([Buffer.from("ff544347", "hex"), Buffer.from("80180022", "hex"), MESSAGE]);
      const { outHash, validation } = await hash(forged);
      expect(validation.hierarchy).to.equal(TPM_RH.NULL);
      expect((await sign(ak.handle, outHash, NULL_SCHEME, validation)).rc).to.equal(atParameter(TPM_RC.TICKET, 3));
    });

    it("refuses a ticket for another digest, or moved to another hierarchy", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("ecc"));
      const { validation } = await hash(MESSAGE);
      expect((await sign(ak.handle, digestOf("sha256", Buffer.from("other")), NULL_SCHEME, validation)).rc).to.equal(
        atParameter(TPM_RC.TICKET, 3),
      );
      const moved = { ...validation, hierarchy: TPM_RH.ENDORSEMENT };
      expect((await sign(ak.handle, digestOf("sha256"), NULL_SCHEME, moved)).rc).to.equal(atParameter(TPM_RC.TICKET, 3));
      const lockout = { ...validation, hierarchy: TPM_RH.LOCKOUT };
      expect((await sign(ak.handle, digestOf("sha256"), NULL_SCHEME, lockout)).rc).to.equal(atParameter(TPM_RC.VALUE, 3));
    });
  });

  describe("refuses", () => {
    it("a key that cannot sign: TPM_RC_KEY + handle 1", async () => {
      const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
      expect((await sign(srk.handle, digestOf("sha256"), scheme(TPM_ALG.ECDSA))).rc).to.equal(atHandle(TPM_RC.KEY, 1));
    });

    it("no scheme from the key or the caller: TPM_RC_SCHEME + parameter 2", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("rsa"));
      expect((await sign(key.handle, digestOf("sha256"))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("a scheme other than the key's: TPM_RC_SCHEME + parameter 2", async () => {
      const ak = await createPrimary(client, TPM_RH.ENDORSEMENT, akTemplate("rsa"));
      expect((await sign(ak.handle, digestOf("sha256"), scheme(TPM_ALG.RSAPSS))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("a scheme of another key type: TPM_RC_SCHEME + parameter 2 (as libtpms)", async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("rsa"));
      expect((await sign(key.handle, digestOf("sha256"), scheme(TPM_ALG.ECDSA))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
      const ecc = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate("ecc"));
      expect((await sign(ecc.handle, digestOf("sha256"), scheme(TPM_ALG.HMAC))).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("a handle that is not an object: TPM_RC_VALUE + handle 1", async () => {
      expect((await sign(TPM_RH.OWNER, digestOf("sha256"), scheme(TPM_ALG.ECDSA))).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
    });
  });
});
