import { expect } from "chai";
import { createHmac } from "node:crypto";
import { TPM_ALG, TPM_RC } from "../../../tpm2/constants.js";
import { TpmError } from "../../../tpm2/errors.js";
import { kdfa, kdfe } from "../../../tpm2/crypto/index.js";
import { kdfVectors, type KdfVector } from "../../vectors/index.js";

const HASH_IDS = { sha1: TPM_ALG.SHA1, sha256: TPM_ALG.SHA256 } as const;
const hex = (s: string): Buffer => Buffer.from(s, "hex");

/** An independent KDFa: the Part 1 §11.4.10.2 formula spelled out with one createHmac per block. */
function referenceKdfa(hash: string, key: Buffer, label: string, u: Buffer, v: Buffer, bits: number): Buffer {
  const blocks: Buffer[] = [];
  const bytes = Math.ceil(bits / 8);
  for (let i = 1; Buffer.concat(blocks).length < bytes; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(bits);
    const message = Buffer.concat([counter, Buffer.from(label), Buffer.of(0), u, v, size]);
    blocks.push(createHmac(hash, key).update(message).digest());
  }
  const out = Buffer.concat(blocks).subarray(0, bytes);
  if (bits % 8) out[0] = out[0]! & ((1 << bits % 8) - 1);
  return out;
}

function args(v: KdfVector): [number, Buffer, string, Buffer, Buffer, number] {
  return [HASH_IDS[v.hash], hex(v.key), hex(v.label).toString("latin1"), hex(v.contextU), hex(v.contextV), v.bits];
}

describe("tpm2/crypto/kdf", function () {
  const vectors = kdfVectors();

  describe("kdfa", function () {
    for (const v of vectors.kdfa) {
      it(`matches the known answer: ${v.note}`, function () {
        expect(kdfa(...args(v)).toString("hex")).to.equal(v.output);
      });
    }

    it("matches an independent implementation for SHA-384 and SHA-512 across block boundaries", function () {
      const key = Buffer.from("a primary seed of some length....");
      for (const [alg, name] of [[TPM_ALG.SHA384, "sha384"], [TPM_ALG.SHA512, "sha512"]] as const) {
        for (const bits of [8, 384, 512, 520, 1040]) {
          expect(kdfa(alg, key, "STORAGE", Buffer.from("u"), Buffer.from("vv"), bits)).to.deep.equal(
            referenceKdfa(name, key, "STORAGE", Buffer.from("u"), Buffer.from("vv"), bits),
          );
        }
      }
    });

    it("clears the unused high bits of the first octet when bits is not a multiple of 8", function () {
      const key = Buffer.alloc(32, 0xa5);
      for (const bits of [1, 7, 12, 255, 257]) {
        const out = kdfa(TPM_ALG.SHA256, key, "XOR", Buffer.alloc(0), Buffer.alloc(0), bits);
        expect(out).to.have.length(Math.ceil(bits / 8));
        if (bits % 8 !== 0) expect(out[0]! >> bits % 8, `bits=${bits}`).to.equal(0);
        expect(out).to.deep.equal(referenceKdfa("sha256", key, "XOR", Buffer.alloc(0), Buffer.alloc(0), bits));
      }
    });

    it("puts the size in bits into every block, so a shorter output is not a prefix of a longer one", function () {
      const long = kdfa(TPM_ALG.SHA256, Buffer.of(1), "CFB", Buffer.alloc(0), Buffer.alloc(0), 256);
      const short = kdfa(TPM_ALG.SHA256, Buffer.of(1), "CFB", Buffer.alloc(0), Buffer.alloc(0), 128);
      expect(short.equals(long.subarray(0, 16))).to.equal(false);
    });

    it("returns no octets for 0 bits and rejects impossible sizes", function () {
      expect(kdfa(TPM_ALG.SHA256, Buffer.of(1), "X", Buffer.alloc(0), Buffer.alloc(0), 0)).to.have.length(0);
      expect(() => kdfa(TPM_ALG.SHA256, Buffer.of(1), "X", Buffer.alloc(0), Buffer.alloc(0), -8)).to.throw(RangeError);
      expect(() => kdfa(TPM_ALG.SHA256, Buffer.of(1), "X", Buffer.alloc(0), Buffer.alloc(0), 1.5)).to.throw(RangeError);
      expect(() => kdfa(TPM_ALG.NULL, Buffer.of(1), "X", Buffer.alloc(0), Buffer.alloc(0), 8))
        .to.throw(TpmError)
        .with.property("rc", TPM_RC.HASH);
    });
  });

  describe("kdfe", function () {
    for (const v of vectors.kdfe) {
      it(`matches the known answer: ${v.note}`, function () {
        expect(kdfe(...args(v)).toString("hex")).to.equal(v.output);
      });
    }

    it("clears the unused high bits of the first octet when bits is not a multiple of 8", function () {
      const out = kdfe(TPM_ALG.SHA256, Buffer.alloc(32, 3), "IDENTITY", Buffer.alloc(0), Buffer.alloc(0), 250);
      expect(out).to.have.length(32);
      expect(out[0]! & 0xfc).to.equal(0);
    });
  });
});
