import { expect } from "chai";
import { bigIntToBytes, bitLength, bytesToBigInt, gcd, modInverse } from "../../../tpm2/crypto/index.js";

describe("tpm2/crypto/bigint", function () {
  it("converts between big-endian octets and bigint", function () {
    expect(bytesToBigInt(Buffer.from("0100", "hex"))).to.equal(256n);
    expect(bytesToBigInt(Buffer.alloc(0))).to.equal(0n);
    expect(bigIntToBytes(256n)).to.deep.equal(Buffer.from("0100", "hex"));
    expect(bigIntToBytes(0n)).to.deep.equal(Buffer.of(0));
    expect(bigIntToBytes(1n, 4)).to.deep.equal(Buffer.from("00000001", "hex"));
    expect(() => bigIntToBytes(0x10000n, 2)).to.throw(RangeError);
    expect(() => bigIntToBytes(-1n)).to.throw(RangeError);
  });

  it("computes bit lengths, gcds and modular inverses", function () {
    expect(bitLength(0n)).to.equal(0);
    expect(bitLength(255n)).to.equal(8);
    expect(gcd(84n, 36n)).to.equal(12n);
    expect(modInverse(3n, 11n)).to.equal(4n);
    const m = (1n << 127n) - 1n;
    expect((modInverse(65537n, m) * 65537n) % m).to.equal(1n);
    expect(() => modInverse(6n, 9n)).to.throw(RangeError);
  });
});
