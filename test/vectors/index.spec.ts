// Checks that the captured vectors are what README.md says they are, using node:crypto only (no
// project code): a broken or partial recapture fails here, not in the tests that rely on the files.
import { expect } from "chai";
import {
  constants,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  privateDecrypt,
  verify,
} from "node:crypto";
import { kdfVectors, vector, vectorText, type KdfVector } from "./index.js";

const TPM_ALG_SHA256 = 0x000b;
const TPM_ST_ATTEST_CERTIFY = 0x8017;
const TPM_ST_ATTEST_QUOTE = 0x8018;
const TPM_GENERATED_VALUE = 0xff544347;
const CREDENTIAL_MAGIC = 0xbadcc0de;

/** Big-endian reader for TPM structures. */
class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  u8(): number {
    return this.buf.readUInt8(this.take(1));
  }
  u16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  u64(): bigint {
    return this.buf.readBigUInt64BE(this.take(8));
  }
  bytes(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
  sized(): Buffer {
    return this.bytes(this.u16());
  }
  rest(): Buffer {
    return this.bytes(this.buf.length - this.offset);
  }
  get done(): boolean {
    return this.offset === this.buf.length;
  }
  private take(n: number): number {
    if (this.offset + n > this.buf.length) throw new Error("truncated structure");
    const at = this.offset;
    this.offset += n;
    return at;
  }
}

const sha256 = (...parts: Buffer[]): Buffer => createHash("sha256").update(Buffer.concat(parts)).digest();
const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const hex = (s: string): Buffer => Buffer.from(s, "hex");

// Part 1 §11.4.10.2
function kdfa(hash: string, key: Buffer, label: string | Buffer, contextU: Buffer, contextV: Buffer, bits: number): Buffer {
  const blocks: Buffer[] = [];
  let length = 0;
  for (let i = 1; length * 8 < bits; i++) {
    const block = createHmac(hash, key)
      .update(Buffer.concat([u32be(i), Buffer.from(label), Buffer.of(0), contextU, contextV, u32be(bits)]))
      .digest();
    blocks.push(block);
    length += block.length;
  }
  return Buffer.concat(blocks).subarray(0, bits / 8);
}

// Part 1 §11.4.10.3
function kdfe(hash: string, z: Buffer, label: string | Buffer, partyU: Buffer, partyV: Buffer, bits: number): Buffer {
  const blocks: Buffer[] = [];
  let length = 0;
  for (let i = 1; length * 8 < bits; i++) {
    const block = createHash(hash)
      .update(Buffer.concat([u32be(i), z, Buffer.from(label), Buffer.of(0), partyU, partyV]))
      .digest();
    blocks.push(block);
    length += block.length;
  }
  return Buffer.concat(blocks).subarray(0, bits / 8);
}

interface Attest {
  type: number;
  qualifiedSigner: Buffer;
  extraData: Buffer;
  attested: Reader;
}

function parseAttest(buf: Buffer): Attest {
  const r = new Reader(buf);
  expect(r.u32()).to.equal(TPM_GENERATED_VALUE);
  const type = r.u16();
  const qualifiedSigner = r.sized();
  const extraData = r.sized();
  r.bytes(8 + 4 + 4 + 1); // TPMS_CLOCK_INFO
  r.u64(); // firmwareVersion
  return { type, qualifiedSigner, extraData, attested: r };
}

function nameOf(tpm2bPublic: Buffer): Buffer {
  const area = new Reader(tpm2bPublic).sized();
  return Buffer.concat([hex("000b"), sha256(area)]);
}

/** Verifies a TPMT_SIGNATURE (RSASSA or ECDSA, SHA-256) over message with a PEM public key. */
function verifySignature(message: Buffer, signature: Buffer, pem: string): boolean {
  const r = new Reader(signature);
  const sigAlg = r.u16();
  expect(r.u16()).to.equal(TPM_ALG_SHA256);
  if (sigAlg === 0x0014) return verify("sha256", message, pem, r.sized());
  expect(sigAlg).to.equal(0x0018);
  const rs = Buffer.concat([r.sized(), r.sized()]);
  return verify("sha256", message, { key: pem, dsaEncoding: "ieee-p1363" }, rs);
}

interface Credential {
  integrityHmac: Buffer;
  encIdentity: Buffer;
  encSecret: Buffer;
}

function parseCredential(file: Buffer): Credential {
  const r = new Reader(file);
  expect(r.u32()).to.equal(CREDENTIAL_MAGIC);
  expect(r.u32()).to.equal(1);
  const idObject = new Reader(r.sized());
  const encSecret = r.sized();
  expect(r.done).to.equal(true);
  return { integrityHmac: idObject.sized(), encIdentity: idObject.rest(), encSecret };
}

/** Part 1 §24 (credential protection): check the HMAC, decrypt, return the credential value. */
function openCredential(cred: Credential, seed: Buffer, name: Buffer): Buffer {
  const hmacKey = kdfa("sha256", seed, "INTEGRITY", Buffer.alloc(0), Buffer.alloc(0), 256);
  const expected = createHmac("sha256", hmacKey).update(Buffer.concat([cred.encIdentity, name])).digest();
  expect(cred.integrityHmac.toString("hex")).to.equal(expected.toString("hex"));
  const symKey = kdfa("sha256", seed, "STORAGE", name, Buffer.alloc(0), 128);
  const decipher = createDecipheriv("aes-128-cfb", symKey, Buffer.alloc(16));
  const plain = Buffer.concat([decipher.update(cred.encIdentity), decipher.final()]);
  return new Reader(plain).sized();
}

describe("test vectors", function () {
  describe("loader", function () {
    it("reads committed files as bytes and as text", function () {
      expect(vector("policysecret_e.dat")).to.have.length(32);
      expect(vectorText("quote_rsa.msg.txt")).to.match(/^magic: ff544347$/m);
    });

    it("refuses names that leave the vectors directory", function () {
      expect(() => vector("../index.ts")).to.throw(/bad vector name/);
      expect(() => vectorText("/etc/hostname")).to.throw(/bad vector name/);
    });
  });

  describe("kdf.json", function () {
    const { kdfa: aCases, kdfe: eCases } = kdfVectors();
    const run = (fn: typeof kdfa, c: KdfVector): string =>
      fn(c.hash, hex(c.key), hex(c.label), hex(c.contextU), hex(c.contextV), c.bits).toString("hex");

    it("covers sha1 and sha256 and outputs longer than one digest", function () {
      for (const cases of [aCases, eCases]) {
        expect(cases.map((c) => c.hash)).to.include.members(["sha1", "sha256"]);
        expect(cases.some((c) => c.bits > (c.hash === "sha1" ? 160 : 256))).to.equal(true);
      }
    });

    it("KDFa answers match an independent node:crypto KDFa", function () {
      for (const c of aCases) expect(run(kdfa, c), c.note).to.equal(c.output);
    });

    it("KDFe answers match an independent node:crypto KDFe", function () {
      for (const c of eCases) expect(run(kdfe, c), c.note).to.equal(c.output);
    });
  });

  describe("EKs and AKs", function () {
    for (const alg of ["rsa", "ecc"]) {
      it(`${alg}: .name files are nameAlg || SHA-256(TPMT_PUBLIC) of the .pub files`, function () {
        expect(vector(`ek_${alg}.name`).toString("hex")).to.equal(nameOf(vector(`ek_${alg}.pub`)).toString("hex"));
        expect(vector(`ak_${alg}.name`).toString("hex")).to.equal(nameOf(vector(`ak_${alg}.pub`)).toString("hex"));
      });

      it(`${alg}: the EK carries the PolicySecret(TPM_RH_ENDORSEMENT) authPolicy`, function () {
        expect(vector(`ek_${alg}.pub`).includes(vector("policysecret_e.dat"))).to.equal(true);
      });
    }

    it("the RSA EK PEM holds the modulus of ek_rsa.pub", function () {
      const jwk = createPublicKey(vectorText("ek_rsa.pem")).export({ format: "jwk" });
      const modulus = Buffer.from(jwk.n ?? "", "base64url");
      expect(modulus).to.have.length(256);
      expect(vector("ek_rsa.pub").includes(modulus)).to.equal(true);
    });
  });

  describe("quotes", function () {
    // capture.sh extends PCR i with the 32-byte big-endian integer i+1 on a fresh TPM.
    const pcrs = Array.from({ length: 8 }, (_, i) => sha256(Buffer.alloc(32), hex((i + 1).toString(16).padStart(64, "0"))));

    for (const alg of ["rsa", "ecc"]) {
      it(`${alg}: a TPMS_ATTEST quote over sha256:0..7 with the qualifying data, signed by the AK`, function () {
        const msg = vector(`quote_${alg}.msg`);
        const attest = parseAttest(msg);
        expect(attest.type).to.equal(TPM_ST_ATTEST_QUOTE);
        expect(attest.extraData.toString("hex")).to.equal("abcdef0123456789");
        const r = attest.attested;
        expect(r.u32()).to.equal(1); // TPML_PCR_SELECTION.count
        expect(r.u16()).to.equal(TPM_ALG_SHA256);
        expect(r.bytes(r.u8()).toString("hex")).to.equal("ff0000");
        expect(verifySignature(msg, vector(`quote_${alg}.sig`), vectorText(`ak_${alg}.pem`))).to.equal(true);
      });

      it(`${alg}: pcrDigest is SHA-256 of the PCR values captured in the .pcrs file`, function () {
        const r = parseAttest(vector(`quote_${alg}.msg`)).attested;
        r.bytes(4 + 2);
        r.bytes(r.u8());
        const pcrDigest = r.sized();
        expect(r.done).to.equal(true);
        expect(pcrDigest.toString("hex")).to.equal(sha256(...pcrs).toString("hex"));
        const pcrFile = vector(`quote_${alg}.pcrs`);
        for (const value of pcrs) expect(pcrFile.includes(value)).to.equal(true);
        expect(vectorText(`quote_${alg}.msg.txt`)).to.include(`pcrDigest: ${pcrDigest.toString("hex")}`);
      });

      it(`${alg}: qualifiedSigner is the AK's qualified name under the EK`, function () {
        // Part 1 §16.6: QN(child) = nameAlg || H(QN(parent) || Name(child)); a hierarchy's QN is its handle.
        const qnEk = Buffer.concat([hex("000b"), sha256(hex("4000000b"), vector(`ek_${alg}.name`))]);
        const qnAk = Buffer.concat([hex("000b"), sha256(qnEk, vector(`ak_${alg}.name`))]);
        expect(parseAttest(vector(`quote_${alg}.msg`)).qualifiedSigner.toString("hex")).to.equal(qnAk.toString("hex"));
      });
    }
  });

  describe("certify", function () {
    it("certifies the child key's name and is signed by the RSA AK", function () {
      const msg = vector("certify_rsa.attest");
      const attest = parseAttest(msg);
      expect(attest.type).to.equal(TPM_ST_ATTEST_CERTIFY);
      const name = attest.attested.sized();
      attest.attested.sized(); // qualifiedName
      expect(attest.attested.done).to.equal(true);
      expect(name.toString("hex")).to.equal(vector("key.name").toString("hex"));
      expect(name.toString("hex")).to.equal(nameOf(vector("key.pub")).toString("hex"));
      expect(verifySignature(msg, vector("certify_rsa.sig"), vectorText("ak_rsa.pem"))).to.equal(true);
    });
  });

  describe("credentials", function () {
    it("the swtpm EK credentials have the tpm2-tools 0xBADCC0DE v1 layout", function () {
      expect(parseCredential(vector("cred_rsa.bin")).encSecret).to.have.length(256);
      const point = new Reader(parseCredential(vector("cred_ecc.bin")).encSecret);
      expect(point.sized()).to.have.length(32);
      expect(point.sized()).to.have.length(32);
      expect(point.done).to.equal(true);
    });

    it("the RSA test-key credential opens to secret.bin (OAEP label IDENTITY, KDFa, HMAC, AES-128-CFB)", function () {
      const cred = parseCredential(vector("cred_testkey_rsa.bin"));
      const seed = privateDecrypt(
        {
          key: createPrivateKey(vectorText("testkey_rsa.key")),
          padding: constants.RSA_PKCS1_OAEP_PADDING,
          oaepHash: "sha256",
          oaepLabel: Buffer.from("IDENTITY\0"),
        },
        cred.encSecret,
      );
      expect(openCredential(cred, seed, vector("ak_rsa.name")).toString("hex")).to.equal(
        vector("secret.bin").toString("hex"),
      );
    });

    it("the ECC test-key credential opens to secret.bin (ECDH, KDFe IDENTITY, KDFa, HMAC, AES-128-CFB)", function () {
      const cred = parseCredential(vector("cred_testkey_ecc.bin"));
      const point = new Reader(cred.encSecret);
      const x = point.sized();
      const y = point.sized();
      const ephemeral = createPublicKey({
        key: { kty: "EC", crv: "P-256", x: x.toString("base64url"), y: y.toString("base64url") },
        format: "jwk",
      });
      const privateKey = createPrivateKey(vectorText("testkey_ecc.key"));
      const z = diffieHellman({ privateKey, publicKey: ephemeral });
      const ownX = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x ?? "", "base64url");
      const seed = kdfe("sha256", z, "IDENTITY", x, ownX, 256);
      expect(openCredential(cred, seed, vector("ak_ecc.name")).toString("hex")).to.equal(
        vector("secret.bin").toString("hex"),
      );
    });
  });

  describe("policy and context files", function () {
    it("PolicySecret(TPM_RH_ENDORSEMENT) digest is the well-known EK authPolicy", function () {
      // Part 3 §23.4: H(H(0^32 || TPM_CC_PolicySecret || name(TPM_RH_ENDORSEMENT)) || policyRef(empty))
      const step1 = sha256(Buffer.alloc(32), u32be(0x151), hex("4000000b"));
      const expected = sha256(step1);
      expect(vector("policysecret_e.dat").toString("hex"))
        .to.equal(expected.toString("hex"))
        .and.to.equal("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
    });

    it("srk.ctx is a tpm2-tools context file for an owner-hierarchy transient object", function () {
      const r = new Reader(vector("srk.ctx"));
      expect(r.u32()).to.equal(CREDENTIAL_MAGIC);
      expect(r.u32()).to.equal(1);
      expect(r.u32()).to.equal(0x40000001); // hierarchy TPM_RH_OWNER
      expect(r.u32()).to.equal(0x80000000); // savedHandle: transient
      r.u64(); // sequence
      r.sized(); // contextBlob
      expect(r.done).to.equal(true);
    });

    it("properties-fixed names swtpm's manufacturer and spec revision", function () {
      const text = vectorText("getcap_properties_fixed.txt");
      expect(text).to.match(/TPM2_PT_MANUFACTURER:\n\s+raw: 0x49424D00\n\s+value: "IBM"/);
      expect(text).to.match(/TPM2_PT_REVISION:\n\s+raw: 0xA4/);
    });
  });
});
