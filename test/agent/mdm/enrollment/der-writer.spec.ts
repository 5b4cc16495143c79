import { expect } from "chai";
import { TAG, oid, tlv } from "../../../../agent/mdm/enrollment/der-writer.js";
import { encodeElement, encodeOid, oidOf, readSingleElement } from "../../../../certs/der.js";

describe("agent/mdm/enrollment/der-writer: the DER the request is written in", () => {
  it("encodes OIDs as the PKI's encoder does, large arcs included, and they read back", () => {
    for (const dotted of ["2.5.4.3", "1.3.14.3.2.29", "1.3.6.1.4.1.311.66.1.0", "1.2.840.113549.1.9.14", "2.999.4294967295"]) {
      expect(oid(dotted).toString("hex"), dotted).to.equal(Buffer.from(encodeOid(dotted)).toString("hex"));
      expect(oidOf(readSingleElement(oid(dotted)))).to.equal(dotted);
    }
  });

  it("refuses text that is not an OID", () => {
    for (const text of ["", "1", "1.x", "3.1", "1.40"]) expect(() => oid(text), text).to.throw(RangeError);
  });

  it("writes short and long definite lengths with the fewest octets", () => {
    for (const size of [0, 1, 127, 128, 255, 256, 65_535, 65_536]) {
      const contents = Buffer.alloc(size, 7);
      expect(tlv(TAG.octetString, contents).equals(Buffer.from(encodeElement(TAG.octetString, contents))), String(size)).to.equal(true);
    }
  });
});
