import { expect } from "chai";
import { CborDecodeError, decodeCbor, encodeCbor } from "../../lib/index.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));

describe("lib/cbor", () => {
  it("encodes a Uint8Array as a plain byte string (major type 2, no tag 64)", () => {
    expect(hex(encodeCbor(Uint8Array.from([1, 2, 3])))).to.equal("43010203");
    expect(hex(encodeCbor(Buffer.from([0xff])))).to.equal("41ff");
    expect(hex(encodeCbor({ k: Uint8Array.from([9]) }))).to.equal("a1616b4109");
  });

  it("encodes maps with minimal headers and without cbor-x record or Map tags", () => {
    expect(hex(encodeCbor({ a: 1, b: "x" }))).to.equal("a261610161626178");
    expect(hex(encodeCbor(new Map([["a", 1]])))).to.equal("a1616101");
  });

  it("round-trips bigint, byte strings and nested maps", () => {
    const value = {
      small: 1n,
      big: 2n ** 64n + 5n,
      negative: -(2n ** 70n),
      bytes: Uint8Array.from([0, 255, 7]),
      nested: { list: [1, "two", { deeper: Uint8Array.from([42]) }], flag: true, nothing: null },
    };
    const decoded = decodeCbor(encodeCbor(value)) as typeof value;
    expect(decoded.small).to.equal(1n);
    expect(decoded.big).to.equal(2n ** 64n + 5n);
    expect(decoded.negative).to.equal(-(2n ** 70n));
    expect(decoded.bytes).to.be.instanceOf(Uint8Array);
    expect([...decoded.bytes]).to.deep.equal([0, 255, 7]);
    expect(decoded.nested.flag).to.equal(true);
    expect(decoded.nested.nothing).to.equal(null);
    expect(decoded.nested.list[0]).to.equal(1);
    expect(decoded.nested.list[1]).to.equal("two");
    const deeper = decoded.nested.list[2] as { deeper: Uint8Array };
    expect(deeper.deeper).to.be.instanceOf(Uint8Array);
    expect([...deeper.deeper]).to.deep.equal([42]);
  });

  it("decodes a nested Map into plain objects", () => {
    const decoded = decodeCbor(encodeCbor(new Map([["outer", new Map([["inner", 5]])]])));
    expect(decoded).to.deep.equal({ outer: { inner: 5 } });
  });

  it("returns a copy that later encodings cannot change", () => {
    const first = encodeCbor({ a: 1 });
    const snapshot = hex(first);
    for (let i = 0; i < 1000; i++) encodeCbor({ filler: "x".repeat(100), i });
    expect(hex(first)).to.equal(snapshot);
    expect(first.byteOffset).to.equal(0);
    expect(first.buffer.byteLength).to.equal(first.byteLength);
  });

  const malformed: Record<string, string> = {
    "empty input": "",
    "truncated map": "a1",
    "truncated text": "6261",
    "reserved additional info": "1c",
    "break outside an indefinite item": "ff",
    "truncated uint64": "1b00",
    "byte string longer than the input": "5affffffff",
    "trailing bytes": "0000",
  };
  for (const [label, input] of Object.entries(malformed)) {
    it(`throws CborDecodeError with code CBOR_MALFORMED for ${label}`, () => {
      let caught: unknown;
      try {
        decodeCbor(fromHex(input));
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(CborDecodeError);
      expect((caught as CborDecodeError).code).to.equal("CBOR_MALFORMED");
    });
  }

  it("rejects input that is not bytes", () => {
    expect(() => decodeCbor("a0" as unknown as Uint8Array)).to.throw(CborDecodeError);
  });
});
