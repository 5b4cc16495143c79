import { expect } from "chai";
import { createHash, generateKeyPairSync, verify as nodeVerify, type KeyObject } from "node:crypto";
import {
  TPMA_OBJECT,
  TPM_ALG,
  TPM_RC,
  TPM_RC_1,
  TPM_RC_P,
  TPM_RH,
  TpmError,
  eccPointFromKey,
  eccScalarFromKey,
  rsaModulusFromKey,
  rsaPrimeFromKey,
  type TPMT_PUBLIC,
  type TPMT_SIG_SCHEME,
} from "../../tpm2/index.js";
import { isSigningObject, privateKeyObject, selectSignScheme, signDigest, verifySignature } from "../../tpm-emulator/keys.js";
import { handleName, makeObject, type TpmObject } from "../../tpm-emulator/objects.js";

const EMPTY = Buffer.alloc(0);
const NO_SYM = { algorithm: TPM_ALG.NULL, keyBits: undefined, mode: undefined };
const NULL_SCHEME: TPMT_SIG_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const scheme = (alg: number, hashAlg: number = TPM_ALG.SHA256): TPMT_SIG_SCHEME => ({ scheme: alg, details: { hashAlg } });
const SIGN = TPMA_OBJECT.sign | TPMA_OBJECT.userWithAuth;

/** A loaded object for a software key pair, as TPM2_LoadExternal would make it. */
function objectFor(privateKey: KeyObject, keyScheme: TPMT_SIG_SCHEME = NULL_SCHEME, attributes = SIGN): TpmObject {
  const common = { nameAlg: TPM_ALG.SHA256, objectAttributes: attributes, authPolicy: EMPTY };
  const sensitiveBase = { authValue: EMPTY, seedValue: EMPTY };
  if (privateKey.asymmetricKeyType === "rsa") {
    const { modulus } = rsaModulusFromKey(privateKey);
    const pub: TPMT_PUBLIC = {
      ...common,
      type: TPM_ALG.RSA,
      parameters: { symmetric: NO_SYM, scheme: keyScheme, keyBits: modulus.length * 8, exponent: 0 },
      unique: modulus,
    };
    return makeObject(pub, { ...sensitiveBase, sensitiveType: TPM_ALG.RSA, sensitive: rsaPrimeFromKey(privateKey) }, TPM_RH.NULL, handleName(TPM_RH.NULL));
  }
  const { curveId, x, y } = eccPointFromKey(privateKey);
  const pub: TPMT_PUBLIC = {
    ...common,
    type: TPM_ALG.ECC,
    parameters: { symmetric: NO_SYM, scheme: keyScheme, curveID: curveId, kdf: NULL_SCHEME },
    unique: { x, y },
  };
  return makeObject(pub, { ...sensitiveBase, sensitiveType: TPM_ALG.ECC, sensitive: eccScalarFromKey(privateKey) }, TPM_RH.NULL, handleName(TPM_RH.NULL));
}

function rcOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TpmError) return e.responseCode;
    throw e;
  }
  return undefined;
}

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const message = Buffer.from("message");
const sha256 = createHash("sha256").update(message).digest();

describe("tpm-emulator/keys", () => {
  describe("selectSignScheme", () => {
    const inSchemeError = TPM_RC.SCHEME | TPM_RC_P | (3 * TPM_RC_1);

    it("gives TPM_RH_NULL the NULL scheme whatever was asked", () => {
      expect(selectSignScheme(undefined, scheme(TPM_ALG.ECDSA), 3)).to.deep.equal(NULL_SCHEME);
    });

    it("takes the caller's scheme for a key without one, and refuses NULL for both", () => {
      const key = objectFor(p256.privateKey);
      expect(selectSignScheme(key, scheme(TPM_ALG.ECDSA, TPM_ALG.SHA384), 3)).to.deep.equal(scheme(TPM_ALG.ECDSA, TPM_ALG.SHA384));
      expect(rcOf(() => selectSignScheme(key, NULL_SCHEME, 3))).to.equal(inSchemeError);
    });

    it("takes the key's scheme for NULL and refuses any other scheme or hash", () => {
      const key = objectFor(p256.privateKey, scheme(TPM_ALG.ECDSA));
      expect(selectSignScheme(key, NULL_SCHEME, 3)).to.deep.equal(scheme(TPM_ALG.ECDSA));
      expect(selectSignScheme(key, scheme(TPM_ALG.ECDSA), 3)).to.deep.equal(scheme(TPM_ALG.ECDSA));
      expect(rcOf(() => selectSignScheme(key, scheme(TPM_ALG.ECDSA, TPM_ALG.SHA1), 3))).to.equal(inSchemeError);
      expect(rcOf(() => selectSignScheme(key, scheme(TPM_ALG.RSASSA), 3))).to.equal(inSchemeError);
    });

    it("refuses a scheme the key type cannot sign with", () => {
      expect(rcOf(() => selectSignScheme(objectFor(rsa.privateKey), scheme(TPM_ALG.ECDSA), 3))).to.equal(inSchemeError);
      expect(rcOf(() => selectSignScheme(objectFor(p256.privateKey), scheme(TPM_ALG.RSAPSS), 3))).to.equal(inSchemeError);
      expect(rcOf(() => selectSignScheme(objectFor(p256.privateKey), scheme(TPM_ALG.HMAC), 3))).to.equal(inSchemeError);
    });

    it("refuses a key without the sign attribute", () => {
      const key = objectFor(p256.privateKey, NULL_SCHEME, TPMA_OBJECT.decrypt | TPMA_OBJECT.userWithAuth);
      expect(isSigningObject(key)).to.equal(false);
      expect(isSigningObject(undefined)).to.equal(true);
      expect(rcOf(() => selectSignScheme(key, scheme(TPM_ALG.ECDSA), 3))).to.equal(inSchemeError);
    });
  });

  describe("signDigest", () => {
    it("RSASSA over a digest verifies with node:crypto over the message (2048 and 1024 bits)", () => {
      for (const pair of [rsa, rsa1024]) {
        const sig = signDigest(objectFor(pair.privateKey), scheme(TPM_ALG.RSASSA), sha256);
        expect(nodeVerify("sha256", message, pair.publicKey, (sig.signature as { sig: Uint8Array }).sig)).to.equal(true);
      }
    });

    it("ECDSA signatures are randomized, with r and s at the curve size", () => {
      const key = objectFor(p256.privateKey);
      const a = signDigest(key, scheme(TPM_ALG.ECDSA), sha256).signature as { signatureR: Uint8Array; signatureS: Uint8Array };
      const b = signDigest(key, scheme(TPM_ALG.ECDSA), sha256).signature as { signatureR: Uint8Array; signatureS: Uint8Array };
      expect(a.signatureR).to.have.length(32);
      expect(a.signatureS).to.have.length(32);
      expect(Buffer.compare(a.signatureR, b.signatureR)).to.not.equal(0);
      const rs = Buffer.concat([a.signatureR, a.signatureS]);
      expect(nodeVerify("sha256", message, { key: p256.publicKey, dsaEncoding: "ieee-p1363" }, rs)).to.equal(true);
    });

    it("ECDSA nonces are never reused: 100 signatures per curve across nonce batches all verify with distinct r", () => {
      for (const [curve, hash] of [["P-256", "sha256"], ["P-384", "sha384"]] as const) {
        const pair = generateKeyPairSync("ec", { namedCurve: curve });
        const key = objectFor(pair.privateKey);
        const digest = createHash(hash).update(message).digest();
        const rValues = new Set<string>();
        for (let i = 0; i < 100; i++) {
          const sig = signDigest(key, scheme(TPM_ALG.ECDSA, hash === "sha256" ? TPM_ALG.SHA256 : TPM_ALG.SHA384), digest)
            .signature as { signatureR: Uint8Array; signatureS: Uint8Array };
          rValues.add(Buffer.from(sig.signatureR).toString("hex"));
          const rs = Buffer.concat([sig.signatureR, sig.signatureS]);
          expect(nodeVerify(hash, message, { key: pair.publicKey, dsaEncoding: "ieee-p1363" }, rs), `${curve} #${i}`).to.equal(true);
        }
        expect(rValues.size, curve).to.equal(100);
      }
    });

    it("gives the NULL signature for the NULL scheme", () => {
      expect(signDigest(objectFor(p256.privateKey), NULL_SCHEME, sha256)).to.deep.equal({ sigAlg: TPM_ALG.NULL, signature: undefined });
    });

    it("refuses a scheme of another key type (TPM_RC_SCHEME) and an RSASSA digest of the wrong size (TPM_RC_VALUE)", () => {
      expect(rcOf(() => signDigest(objectFor(rsa.privateKey), scheme(TPM_ALG.ECDSA), sha256))).to.equal(TPM_RC.SCHEME);
      expect(rcOf(() => signDigest(objectFor(p256.privateKey), scheme(TPM_ALG.RSAPSS), sha256))).to.equal(TPM_RC.SCHEME);
      expect(rcOf(() => signDigest(objectFor(rsa.privateKey), scheme(TPM_ALG.RSASSA), sha256.subarray(1)))).to.equal(TPM_RC.VALUE);
    });
  });

  describe("verifySignature", () => {
    it("accepts what signDigest makes for every scheme and refuses it for another digest", () => {
      const cases = [
        [rsa.privateKey, TPM_ALG.RSASSA],
        [rsa.privateKey, TPM_ALG.RSAPSS],
        [rsa1024.privateKey, TPM_ALG.RSAPSS],
        [p256.privateKey, TPM_ALG.ECDSA],
      ] as const;
      for (const [privateKey, alg] of cases) {
        const key = objectFor(privateKey);
        const sig = signDigest(key, scheme(alg), sha256);
        expect(() => verifySignature(key, sha256, sig)).to.not.throw();
        const other = createHash("sha256").update("other").digest();
        expect(rcOf(() => verifySignature(key, other, sig))).to.equal(TPM_RC.SIGNATURE);
      }
    });

    it("refuses a signature by another key", () => {
      const sig = signDigest(objectFor(p256.privateKey), scheme(TPM_ALG.ECDSA), sha256);
      const other = objectFor(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
      expect(rcOf(() => verifySignature(other, sha256, sig))).to.equal(TPM_RC.SIGNATURE);
    });
  });

  describe("privateKeyObject", () => {
    it("rebuilds the private key from the sensitive area once and keeps it", () => {
      const key = objectFor(p256.privateKey);
      const first = privateKeyObject(key);
      expect(first.export({ format: "jwk" }).d).to.equal(p256.privateKey.export({ format: "jwk" }).d);
      expect(privateKeyObject(key)).to.equal(first);
    });

    it("refuses a sensitive area that does not belong to the public area: TPM_RC_BINDING", () => {
      const key = objectFor(rsa.privateKey);
      key.sensitive = { ...key.sensitive!, sensitive: Buffer.alloc(128, 0x03) };
      expect(rcOf(() => privateKeyObject(key))).to.equal(TPM_RC.BINDING);
      const ecc = objectFor(p256.privateKey);
      ecc.sensitive = { ...ecc.sensitive!, sensitive: Buffer.alloc(32, 0xff) };
      expect(rcOf(() => privateKeyObject(ecc))).to.equal(TPM_RC.BINDING);
    });
  });
});
