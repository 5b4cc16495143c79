import { expect } from "chai";
import { createECDH, randomBytes } from "node:crypto";
import { curveArithmetic } from "../../tpm-emulator/ecc-arithmetic.js";

const CURVES = [
  { id: 0x0003, name: "prime256v1", size: 32 },
  { id: 0x0004, name: "secp384r1", size: 48 },
  { id: 0x0005, name: "secp521r1", size: 66 },
] as const;

const int = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString("hex")}`);

function publicPoint(name: string, size: number, k: Buffer) {
  const ecdh = createECDH(name);
  ecdh.setPrivateKey(k);
  const p = ecdh.getPublicKey();
  return { x: int(p.subarray(1, 1 + size)), y: int(p.subarray(1 + size)) };
}

describe("ecc-arithmetic", () => {
  for (const c of CURVES) {
    it(`${c.name}: the generator is on the curve and k·G matches OpenSSL`, () => {
      const arithmetic = curveArithmetic(c.id)!;
      const one = Buffer.alloc(c.size);
      one[c.size - 1] = 1;
      const G = publicPoint(c.name, c.size, one);
      expect(arithmetic.isOnCurve(G)).to.equal(true);
      expect(arithmetic.isOnCurve({ x: G.x, y: G.y + 1n })).to.equal(false);
      const k = randomBytes(c.size);
      k[0] = k[0]! & 0x7f;
      if (c.size === 66) k[0] = k[0] & 0x01;
      const expected = publicPoint(c.name, c.size, k);
      expect(arithmetic.affine(arithmetic.multiply(int(k), { ...G, z: 1n }))).to.deep.equal(expected);
    });
  }

  it("knows no other curve", () => {
    expect(curveArithmetic(0x0010)).to.equal(undefined);
  });
});
