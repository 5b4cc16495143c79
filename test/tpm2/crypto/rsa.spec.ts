import { expect } from "chai";
import {
  constants,
  createPrivateKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { TPM_ALG, TPM_RC } from "../../../tpm2/constants.js";
import { TpmError } from "../../../tpm2/errors.js";
import {
  bytesToBigInt,
  rsaKeyPairFromPrimes,
  rsaModulusFromKey,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaOaepLabel,
  rsaPrimeFromKey,
  rsaPrivateKeyFromPrime,
  rsaPublicKeyFromModulus,
} from "../../../tpm2/crypto/index.js";
import { vector } from "../../vectors/index.js";
import { openCredentialBlob, parseCredentialBlob } from "./credential-blob.js";

describe("tpm2/crypto/rsa", function () {
  let publicKey: KeyObject;
  let privateKey: KeyObject;

  before(function () {
    ({ publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 }));
  });

  it("round-trips modulus and exponent through a KeyObject, 65537 written as the TPM's 0", function () {
    const { modulus, exponent } = rsaModulusFromKey(publicKey);
    expect(modulus).to.have.length(256);
    expect(exponent).to.equal(0);
    expect(rsaPublicKeyFromModulus(modulus, 0).equals(publicKey)).to.equal(true);
    expect(rsaPublicKeyFromModulus(modulus, 65537).equals(publicKey)).to.equal(true);
    expect(rsaModulusFromKey(privateKey).modulus).to.deep.equal(modulus);
  });

  it("keeps a non-default exponent", function () {
    const { publicKey: e3 } = generateKeyPairSync("rsa", { modulusLength: 1024, publicExponent: 3 });
    const { modulus, exponent } = rsaModulusFromKey(e3);
    expect(exponent).to.equal(3);
    expect(rsaPublicKeyFromModulus(modulus, 3).equals(e3)).to.equal(true);
  });

  it("rebuilds the private key from the modulus and one prime (a TPMT_SENSITIVE)", function () {
    const { modulus } = rsaModulusFromKey(publicKey);
    const rebuilt = rsaPrivateKeyFromPrime(modulus, 0, rsaPrimeFromKey(privateKey));
    const message = Buffer.from("signed by the rebuilt key");
    expect(verify("sha256", message, publicKey, sign("sha256", message, rebuilt.privateKey))).to.equal(true);
    expect(rebuilt.publicKey.equals(publicKey)).to.equal(true);
    const ciphertext = publicEncrypt(publicKey, Buffer.from("to the rebuilt key"));
    expect(privateDecrypt(rebuilt.privateKey, ciphertext).toString()).to.equal("to the rebuilt key");
  });

  it("rejects a prime that does not divide the modulus with TPM_RC_BINDING", function () {
    const { modulus } = rsaModulusFromKey(publicKey);
    const prime = rsaPrimeFromKey(privateKey);
    prime[prime.length - 1] = prime[prime.length - 1]! ^ 2;
    expect(() => rsaPrivateKeyFromPrime(modulus, 0, prime)).to.throw(TpmError).with.property("rc", TPM_RC.BINDING);
  });

  it("builds a working key from two primes", function () {
    const p = bytesToBigInt(rsaPrimeFromKey(privateKey));
    const n = bytesToBigInt(rsaModulusFromKey(publicKey).modulus);
    const pair = rsaKeyPairFromPrimes(p, n / p, 0);
    expect(pair.modulus).to.deep.equal(rsaModulusFromKey(publicKey).modulus);
    const message = Buffer.from("m");
    expect(verify("sha256", message, publicKey, sign("sha256", message, pair.privateKey))).to.equal(true);
    expect(() => rsaKeyPairFromPrimes(p, p, 0)).to.throw(RangeError);
  });

  it("writes OAEP labels the TPM way: strings with their 0x00 terminator, octets as given", function () {
    expect(rsaOaepLabel("IDENTITY")).to.deep.equal(Buffer.from("IDENTITY\0"));
    expect(rsaOaepLabel(Buffer.from("raw"))).to.deep.equal(Buffer.from("raw"));
  });

  it("OAEP round-trips with a label, and the label is the terminated string", function () {
    const seed = Buffer.alloc(32, 0x3c);
    const encrypted = rsaOaepEncrypt(publicKey, TPM_ALG.SHA256, "SECRET", seed);
    expect(encrypted).to.have.length(256);
    expect(rsaOaepDecrypt(privateKey, TPM_ALG.SHA256, "SECRET", encrypted)).to.deep.equal(seed);
    const byNode = privateDecrypt(
      {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: "sha256",
        oaepLabel: Buffer.from("SECRET\0"),
      },
      encrypted,
    );
    expect(byNode).to.deep.equal(seed);
  });

  it("fails with TPM_RC_VALUE on a wrong label or hash, and on a message too long for the key", function () {
    const encrypted = rsaOaepEncrypt(publicKey, TPM_ALG.SHA256, "DUPLICATE", Buffer.alloc(16));
    expect(() => rsaOaepDecrypt(privateKey, TPM_ALG.SHA256, "IDENTITY", encrypted))
      .to.throw(TpmError)
      .with.property("rc", TPM_RC.VALUE);
    expect(() => rsaOaepDecrypt(privateKey, TPM_ALG.SHA1, "DUPLICATE", encrypted))
      .to.throw(TpmError)
      .with.property("rc", TPM_RC.VALUE);
    expect(() => rsaOaepEncrypt(publicKey, TPM_ALG.SHA256, "", Buffer.alloc(200)))
      .to.throw(TpmError)
      .with.property("rc", TPM_RC.VALUE);
  });

  it("opens a credential that tpm2_makecredential made for an RSA key (OAEP label IDENTITY)", function () {
    const blob = parseCredentialBlob(vector("cred_testkey_rsa.bin"));
    const seed = rsaOaepDecrypt(createPrivateKey(vector("testkey_rsa.key")), TPM_ALG.SHA256, "IDENTITY", blob.secret);
    expect(seed).to.have.length(32);
    expect(openCredentialBlob(blob, seed, vector("ak_rsa.name"))).to.deep.equal(vector("secret.bin"));
  });
});
