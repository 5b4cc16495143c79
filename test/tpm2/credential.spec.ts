import { expect } from "chai";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import {
  CREDENTIAL_FILE_MAGIC,
  IDENTITY_LABEL,
  TPM2B_PUBLIC,
  TPM_ALG,
  TPM_ECC_CURVE,
  TPM_RC,
  TPMA_OBJECT,
  TpmError,
  activateCredentialWithSeed,
  decodeCredentialFile,
  decryptSeed,
  eccScalarFromKey,
  encodeCredentialFile,
  makeCredential,
  unmarshal,
  type TPMT_PUBLIC,
} from "../../tpm2/index.js";
import { vector, vectorText } from "../vectors/index.js";

const AES128_CFB = { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB };
const NO_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const RESTRICTED_DECRYPT = TPMA_OBJECT.restricted | TPMA_OBJECT.decrypt | TPMA_OBJECT.fixedTPM | TPMA_OBJECT.fixedParent;

/** The TPMT_PUBLIC tpm2_makecredential builds from a PEM (-u key.pem): nameAlg SHA-256, AES-128-CFB. */
function publicAreaOf(key: KeyObject): TPMT_PUBLIC {
  const jwk = key.export({ format: "jwk" });
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: RESTRICTED_DECRYPT, authPolicy: Buffer.alloc(0) };
  if (jwk.kty === "RSA") {
    return {
      ...common,
      type: TPM_ALG.RSA,
      parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, keyBits: 2048, exponent: 0 },
      unique: Buffer.from(jwk.n!, "base64url"),
    };
  }
  return {
    ...common,
    type: TPM_ALG.ECC,
    parameters: { symmetric: AES128_CFB, scheme: NO_SCHEME, curveID: TPM_ECC_CURVE.NIST_P256, kdf: NO_SCHEME },
    unique: { x: Buffer.from(jwk.x!, "base64url"), y: Buffer.from(jwk.y!, "base64url") },
  };
}

function testKey(alg: "rsa" | "ecc"): { pub: TPMT_PUBLIC; privateKey: KeyObject } {
  const privateKey = createPrivateKey(vectorText(`testkey_${alg}.key`));
  return { pub: publicAreaOf(createPublicKey(privateKey)), privateKey };
}

/** Opens a credential blob the way the TPM does, with the test key standing in for the EK. */
function open(alg: "rsa" | "ecc", blob: { credentialBlob: Uint8Array; secret: Uint8Array }, objectName: Uint8Array): Buffer {
  const { pub, privateKey } = testKey(alg);
  const seed = decryptSeed(pub, privateKey, IDENTITY_LABEL, blob.secret);
  return activateCredentialWithSeed({ ekPublic: pub, seed, objectName, credentialBlob: blob.credentialBlob });
}

function rcOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TpmError) return e.rc;
    throw e;
  }
  return undefined;
}

describe("tpm2/credential", () => {
  describe("tpm2-tools credential files", () => {
    for (const name of ["cred_rsa.bin", "cred_ecc.bin", "cred_testkey_rsa.bin", "cred_testkey_ecc.bin"]) {
      it(`${name} decodes and re-encodes byte for byte`, () => {
        const bytes = vector(name);
        const blob = decodeCredentialFile(bytes);
        expect(encodeCredentialFile(blob).toString("hex")).to.equal(bytes.toString("hex"));
        // TPM2B_DIGEST(SHA-256 HMAC) ‖ AES-CFB(TPM2B_DIGEST(32-byte secret))
        expect(blob.credentialBlob.readUInt16BE(0)).to.equal(32);
        expect(blob.credentialBlob).to.have.length(2 + 32 + 2 + 32);
      });
    }

    it("carries a 256-byte OAEP secret for RSA and a TPMS_ECC_POINT for ECC", () => {
      expect(decodeCredentialFile(vector("cred_rsa.bin")).secret).to.have.length(256);
      const point = decodeCredentialFile(vector("cred_ecc.bin")).secret;
      expect(point.readUInt16BE(0)).to.equal(32);
      expect(point.readUInt16BE(34)).to.equal(32);
      expect(point).to.have.length(68);
    });

    it("refuses a wrong magic or version, trailing bytes and truncation", () => {
      const good = vector("cred_rsa.bin");
      const badMagic = Buffer.from(good);
      badMagic.writeUInt32BE(0xbadcc0df, 0);
      expect(rcOf(() => decodeCredentialFile(badMagic))).to.equal(TPM_RC.VALUE);
      const badVersion = Buffer.from(good);
      badVersion.writeUInt32BE(2, 4);
      expect(rcOf(() => decodeCredentialFile(badVersion))).to.equal(TPM_RC.VALUE);
      expect(rcOf(() => decodeCredentialFile(Buffer.concat([good, Buffer.of(0)])))).to.equal(TPM_RC.SIZE);
      expect(rcOf(() => decodeCredentialFile(good.subarray(0, good.length - 1)))).to.equal(TPM_RC.INSUFFICIENT);
      expect(good.readUInt32BE(0)).to.equal(CREDENTIAL_FILE_MAGIC);
    });
  });

  describe("activateCredentialWithSeed", () => {
    for (const alg of ["rsa", "ecc"] as const) {
      it(`opens tpm2_makecredential's ${alg} blob to secret.bin with the test key`, () => {
        const blob = decodeCredentialFile(vector(`cred_testkey_${alg}.bin`));
        expect(open(alg, blob, vector(`ak_${alg}.name`)).toString("hex")).to.equal(vector("secret.bin").toString("hex"));
      });

      it(`${alg}: a blob bound to another Name, or modified, fails the integrity check`, () => {
        const blob = decodeCredentialFile(vector(`cred_testkey_${alg}.bin`));
        const otherName = vector(alg === "rsa" ? "ak_ecc.name" : "ak_rsa.name");
        expect(rcOf(() => open(alg, blob, otherName))).to.equal(TPM_RC.INTEGRITY);
        const flipped = Buffer.from(blob.credentialBlob);
        flipped[flipped.length - 1]! ^= 0x01;
        expect(rcOf(() => open(alg, { ...blob, credentialBlob: flipped }, vector(`ak_${alg}.name`)))).to.equal(TPM_RC.INTEGRITY);
      });
    }

    it("fails the integrity check with another seed", () => {
      const { pub } = testKey("rsa");
      const blob = decodeCredentialFile(vector("cred_testkey_rsa.bin"));
      const f = () =>
        activateCredentialWithSeed({
          ekPublic: pub,
          seed: Buffer.alloc(32, 1),
          objectName: vector("ak_rsa.name"),
          credentialBlob: blob.credentialBlob,
        });
      expect(rcOf(f)).to.equal(TPM_RC.INTEGRITY);
    });

    it("refuses an RSA secret that is not the modulus size, or was encrypted to another key or label", () => {
      const { pub, privateKey } = testKey("rsa");
      const secret = decodeCredentialFile(vector("cred_testkey_rsa.bin")).secret;
      expect(rcOf(() => decryptSeed(pub, privateKey, IDENTITY_LABEL, secret.subarray(1)))).to.equal(TPM_RC.SIZE);
      const other = decodeCredentialFile(vector("cred_rsa.bin")).secret;
      expect(rcOf(() => decryptSeed(pub, privateKey, IDENTITY_LABEL, other))).to.equal(TPM_RC.FAILURE);
      expect(rcOf(() => decryptSeed(pub, privateKey, "SECRET", secret))).to.equal(TPM_RC.FAILURE);
    });

    it("recovers the same ECC seed from the raw private scalar as from the KeyObject", () => {
      const { pub, privateKey } = testKey("ecc");
      const secret = decodeCredentialFile(vector("cred_testkey_ecc.bin")).secret;
      const seed = decryptSeed(pub, eccScalarFromKey(privateKey), IDENTITY_LABEL, secret);
      expect(seed).to.deep.equal(decryptSeed(pub, privateKey, IDENTITY_LABEL, secret));
      const tampered = Buffer.from(secret);
      tampered[tampered.length - 1]! ^= 0x01;
      expect(rcOf(() => decryptSeed(pub, eccScalarFromKey(privateKey), IDENTITY_LABEL, tampered))).to.equal(TPM_RC.ECC_POINT);
    });

    it("refuses an ECC secret whose point is not on the curve", () => {
      const { pub, privateKey } = testKey("ecc");
      const secret = Buffer.from(decodeCredentialFile(vector("cred_testkey_ecc.bin")).secret);
      secret[secret.length - 1]! ^= 0x01;
      expect(rcOf(() => decryptSeed(pub, privateKey, IDENTITY_LABEL, secret))).to.equal(TPM_RC.ECC_POINT);
      expect(rcOf(() => decryptSeed(pub, privateKey, IDENTITY_LABEL, secret.subarray(0, 10)))).to.equal(TPM_RC.INSUFFICIENT);
    });
  });

  describe("makeCredential", () => {
    for (const alg of ["rsa", "ecc"] as const) {
      it(`${alg}: what it makes opens with the key's private half, bound to the Name`, () => {
        const { pub } = testKey(alg);
        const name = vector(`ak_${alg}.name`);
        const credential = Buffer.from("a credential of 32 bytes .......");
        const blob = makeCredential({ ekPublic: pub, objectName: name, credential });
        expect(open(alg, blob, name).toString()).to.equal(credential.toString());
        expect(rcOf(() => open(alg, blob, vector("ek_rsa.name")))).to.equal(TPM_RC.INTEGRITY);
        const again = makeCredential({ ekPublic: pub, objectName: name, credential });
        expect(again.secret.equals(blob.secret)).to.equal(false);
        const file = encodeCredentialFile(blob);
        expect(open(alg, decodeCredentialFile(file), name).toString()).to.equal(credential.toString());
      });
    }

    it("makes blobs for the swtpm EKs in tpm2-tools' shape", () => {
      for (const alg of ["rsa", "ecc"] as const) {
        const ekPublic = unmarshal(TPM2B_PUBLIC, vector(`ek_${alg}.pub`));
        const blob = makeCredential({ ekPublic, objectName: vector(`ak_${alg}.name`), credential: vector("secret.bin") });
        const reference = decodeCredentialFile(vector(`cred_${alg}.bin`));
        expect(blob.credentialBlob).to.have.length(reference.credentialBlob.length);
        expect(blob.secret).to.have.length(reference.secret.length);
      }
    });

    it("refuses a credential longer than a digest of the EK's nameAlg", () => {
      const { pub } = testKey("ecc");
      const f = () => makeCredential({ ekPublic: pub, objectName: vector("ak_ecc.name"), credential: Buffer.alloc(33) });
      expect(rcOf(f)).to.equal(TPM_RC.SIZE);
    });

    it("refuses a protector without an AES symmetric definition", () => {
      const { pub } = testKey("ecc");
      const noSym = {
        ...pub,
        parameters: { ...(pub.parameters as object), symmetric: { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined } },
      } as TPMT_PUBLIC;
      const f = () => makeCredential({ ekPublic: noSym, objectName: vector("ak_ecc.name"), credential: Buffer.alloc(16) });
      expect(rcOf(f)).to.equal(TPM_RC.SYMMETRIC);
    });
  });
});
