import { expect } from "chai";
import { constants, createHash, createHmac, generateKeyPairSync, sign as nodeSign, type KeyObject } from "node:crypto";
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  pw,
  type TPMT_PUBLIC,
  type TPMT_SIGNATURE,
  type TpmClient,
} from "../../../../tpm2/index.js";
import type { TpmEmulator } from "../../../../tpm-emulator/index.js";
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
} from "../key-fixture.js";

const MESSAGE = Buffer.from("signed outside the TPM");
const NODE_HASH: Record<number, string> = { [TPM_ALG.SHA1]: "sha1", [TPM_ALG.SHA256]: "sha256", [TPM_ALG.SHA384]: "sha384", [TPM_ALG.SHA512]: "sha512" };
const digestOf = (hashAlg: number, data: Buffer = MESSAGE) => createHash(NODE_HASH[hashAlg]!).update(data).digest();

/** The public area LoadExternal takes for a software key: an unrestricted signing key without a scheme. */
function externalPublic(key: KeyObject): TPMT_PUBLIC {
  const jwk = key.export({ format: "jwk" });
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: TPMA_OBJECT.sign | TPMA_OBJECT.userWithAuth, authPolicy: EMPTY };
  const noSym = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
  if (jwk.kty === "RSA") {
    return { ...common, type: TPM_ALG.RSA, parameters: { symmetric: noSym, scheme: NULL_SCHEME, keyBits: 2048, exponent: 0 }, unique: Buffer.from(jwk.n!, "base64url") };
  }
  return {
    ...common,
    type: TPM_ALG.ECC,
    parameters: {
      symmetric: noSym,
      scheme: NULL_SCHEME,
      curveID: jwk.crv === "P-384" ? TPM_ECC_CURVE.NIST_P384 : TPM_ECC_CURVE.NIST_P256,
      kdf: NULL_SCHEME,
    },
    unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
  };
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });

describe("TPM2_VerifySignature", () => {
  let tpm: TpmEmulator;
  let client: TpmClient;
  beforeEach(async () => ({ tpm, client } = await startedTpm()));

  const loadExternal = async (key: KeyObject, hierarchy: number = TPM_RH.OWNER) =>
    client.run("LoadExternal", { params: { inPrivate: undefined, inPublic: externalPublic(key), hierarchy } });

  const verify = (keyHandle: number, digest: Uint8Array, signature: TPMT_SIGNATURE) =>
    client.call("VerifySignature", { handles: [keyHandle], params: { digest, signature } });

  /** Part 2 §10.7.4, computed here from the hierarchy's proof (white box). */
  const expectedTicket = (digest: Uint8Array, keyName: Uint8Array) =>
    createHmac("sha512", tpm.runtime.state.owner.proof).update(Buffer.from("8022", "hex")).update(digest).update(keyName).digest();

  const softwareSignatures: { name: string; key: () => KeyObject; hashAlg: number; signature: () => TPMT_SIGNATURE }[] = [
    {
      name: "RSASSA-SHA256",
      key: () => rsa.publicKey,
      hashAlg: TPM_ALG.SHA256,
      signature: () => ({ sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: nodeSign("sha256", MESSAGE, rsa.privateKey) } }),
    },
    {
      name: "RSAPSS-SHA256, maximal salt",
      key: () => rsa.publicKey,
      hashAlg: TPM_ALG.SHA256,
      signature: () => ({
        sigAlg: TPM_ALG.RSAPSS,
        signature: { hash: TPM_ALG.SHA256, sig: nodeSign("sha256", MESSAGE, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING }) },
      }),
    },
    {
      name: "RSAPSS-SHA384, salt as long as the digest",
      key: () => rsa.publicKey,
      hashAlg: TPM_ALG.SHA384,
      signature: () => ({
        sigAlg: TPM_ALG.RSAPSS,
        signature: {
          hash: TPM_ALG.SHA384,
          sig: nodeSign("sha384", MESSAGE, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }),
        },
      }),
    },
    ...(
      [
        ["ECDSA P-256 SHA-256", p256, TPM_ALG.SHA256, 32],
        ["ECDSA P-256 SHA-512 (digest truncated to the order)", p256, TPM_ALG.SHA512, 32],
        ["ECDSA P-384 SHA-384", p384, TPM_ALG.SHA384, 48],
        ["ECDSA P-384 SHA-1 (digest shorter than the order)", p384, TPM_ALG.SHA1, 48],
      ] as const
    ).map(([name, pair, hashAlg, size]) => ({
      name,
      key: () => pair.publicKey,
      hashAlg,
      signature: (): TPMT_SIGNATURE => {
        const rs = nodeSign(NODE_HASH[hashAlg], MESSAGE, { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
        return { sigAlg: TPM_ALG.ECDSA, signature: { hash: hashAlg, signatureR: rs.subarray(0, size), signatureS: rs.subarray(size) } };
      },
    })),
  ];

  for (const c of softwareSignatures) {
    it(`accepts a node:crypto ${c.name} signature and returns a verified ticket`, async () => {
      const key = await loadExternal(c.key());
      const digest = digestOf(c.hashAlg);
      const out = await verify(key.handle, digest, c.signature());
      expect(out.rc, `rc 0x${out.rc.toString(16)}`).to.equal(TPM_RC.SUCCESS);
      const ticket = out.response!.validation;
      expect(ticket.tag).to.equal(TPM_ST.VERIFIED);
      expect(ticket.hierarchy).to.equal(TPM_RH.OWNER);
      expect(Buffer.from(ticket.digest).toString("hex")).to.equal(expectedTicket(digest, key.name).toString("hex"));
    });

    it(`refuses the ${c.name} signature over another digest: TPM_RC_SIGNATURE + parameter 2`, async () => {
      const key = await loadExternal(c.key());
      const out = await verify(key.handle, digestOf(c.hashAlg, Buffer.from("another message")), c.signature());
      expect(out.rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
    });
  }

  for (const kind of ["rsa", "ecc"] as const) {
    it(`${kind}: verifies what TPM2_Sign made with the same key, and not a modified copy`, async () => {
      const key = await createPrimary(client, TPM_RH.OWNER, signingKeyTemplate(kind));
      const digest = digestOf(TPM_ALG.SHA256);
      const sigAlg = kind === "rsa" ? TPM_ALG.RSASSA : TPM_ALG.ECDSA;
      const { signature } = await client.run("Sign", {
        handles: [key.handle],
        auths: [pw()],
        params: { digest, inScheme: scheme(sigAlg), validation: NULL_HASHCHECK },
      });
      expect((await verify(key.handle, digest, signature)).rc).to.equal(TPM_RC.SUCCESS);
      const changed = structuredClone(signature) as { signature: { sig?: Uint8Array; signatureS?: Uint8Array } };
      const bytes = (changed.signature.sig ?? changed.signature.signatureS)!;
      bytes[bytes.length - 1]! ^= 1;
      expect((await verify(key.handle, digest, changed as TPMT_SIGNATURE)).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
    });
  }

  it("HMAC key: verifies its own HMAC signature and refuses one with another hash", async () => {
    const key = await createPrimary(client, TPM_RH.OWNER, hmacKeyTemplate());
    const digest = digestOf(TPM_ALG.SHA256);
    const { signature } = await client.run("Sign", {
      handles: [key.handle],
      auths: [pw()],
      params: { digest, inScheme: NULL_SCHEME, validation: NULL_HASHCHECK },
    });
    expect((await verify(key.handle, digest, signature)).rc).to.equal(TPM_RC.SUCCESS);
    const mac = signature.signature as { digest: Uint8Array };
    const sha1: TPMT_SIGNATURE = { sigAlg: TPM_ALG.HMAC, signature: { hashAlg: TPM_ALG.SHA1, digest: mac.digest.subarray(0, 20) } };
    expect((await verify(key.handle, digest, sha1)).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
  });

  it("gives a NULL ticket for a key in the null hierarchy", async () => {
    const key = await loadExternal(p256.publicKey, TPM_RH.NULL);
    const out = await verify(key.handle, digestOf(TPM_ALG.SHA256), softwareSignatures[3]!.signature());
    expect(out.rc).to.equal(TPM_RC.SUCCESS);
    expect(out.response!.validation).to.deep.include({ tag: TPM_ST.VERIFIED, hierarchy: TPM_RH.NULL });
    expect(out.response!.validation.digest).to.have.length(0);
  });

  describe("refuses", () => {
    it("a signature algorithm that does not suit the key: TPM_RC_SCHEME + parameter 2", async () => {
      const key = await loadExternal(rsa.publicKey);
      const ecdsa = softwareSignatures[3]!.signature();
      expect((await verify(key.handle, digestOf(TPM_ALG.SHA256), ecdsa)).rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("the NULL signature: TPM_RC_SCHEME + parameter 2", async () => {
      const key = await loadExternal(rsa.publicKey);
      const out = await verify(key.handle, digestOf(TPM_ALG.SHA256), { sigAlg: TPM_ALG.NULL, signature: undefined });
      expect(out.rc).to.equal(atParameter(TPM_RC.SCHEME, 2));
    });

    it("an RSA signature of the wrong length: TPM_RC_SIGNATURE + parameter 2", async () => {
      const key = await loadExternal(rsa.publicKey);
      const short: TPMT_SIGNATURE = { sigAlg: TPM_ALG.RSASSA, signature: { hash: TPM_ALG.SHA256, sig: Buffer.alloc(255, 1) } };
      expect((await verify(key.handle, digestOf(TPM_ALG.SHA256), short)).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
    });

    it("ECDSA r or s of zero or not below the order: TPM_RC_SIGNATURE + parameter 2", async () => {
      const key = await loadExternal(p256.publicKey);
      const digest = digestOf(TPM_ALG.SHA256);
      const zero: TPMT_SIGNATURE = { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32), signatureS: Buffer.alloc(32, 1) } };
      const big: TPMT_SIGNATURE = { sigAlg: TPM_ALG.ECDSA, signature: { hash: TPM_ALG.SHA256, signatureR: Buffer.alloc(32, 0xff), signatureS: Buffer.alloc(32, 1) } };
      expect((await verify(key.handle, digest, zero)).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
      expect((await verify(key.handle, digest, big)).rc).to.equal(atParameter(TPM_RC.SIGNATURE, 2));
    });

    it("a key without the sign attribute: TPM_RC_ATTRIBUTES + handle 1", async () => {
      const srk = await createPrimary(client, TPM_RH.OWNER, storageKeyTemplate("ecc"));
      const out = await verify(srk.handle, digestOf(TPM_ALG.SHA256), softwareSignatures[3]!.signature());
      expect(out.rc).to.equal(atHandle(TPM_RC.ATTRIBUTES, 1));
    });

    it("a handle that is not an object: TPM_RC_VALUE + handle 1", async () => {
      const out = await verify(TPM_RH.OWNER, digestOf(TPM_ALG.SHA256), softwareSignatures[0]!.signature());
      expect(out.rc).to.equal(atHandle(TPM_RC.VALUE, 1));
    });
  });
});
