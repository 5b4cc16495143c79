import { expect } from "chai";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue,
  AttributeValue,
  GeneralName,
  GeneralNames,
  Name,
  RelativeDistinguishedName,
} from "@peculiar/asn1-x509";
import {
  TCG_OID,
  createTpmSpecificationExtension,
  createTpmSubjectAltName,
  formatTpmId,
  parseTpmId,
  parseTpmSpecificationExtension,
  parseTpmSubjectAltName,
} from "../../certs/index.js";

const hex = (bytes: ArrayBuffer): string => Buffer.from(bytes).toString("hex");
const ascii = (text: string): string => Buffer.from(text, "latin1").toString("hex");

describe("certs/tcg-extensions", () => {
  it("encodes the SAN as three single-attribute RDNs of UTF8Strings, byte for byte", () => {
    const extension = createTpmSubjectAltName({ manufacturerId: 0x49465800, model: "SLB9670", version: 0x0007000c });
    expect(extension.type).to.equal("2.5.29.17");
    expect(extension.critical).to.equal(true);
    const expected =
      "3048a4463044" +
      "31163014060567810502010c0b" + ascii("id:49465800") +
      "31123010060567810502020c07" + ascii("SLB9670") +
      "31163014060567810502030c0b" + ascii("id:0007000C");
    expect(hex(extension.value)).to.equal(expected);
  });

  it("encodes tcg-at-tpmSpecification exactly as a real Intel EK certificate does", () => {
    const extension = createTpmSpecificationExtension({ family: "2.0", level: 0, revision: 103 });
    expect(extension.type).to.equal("2.5.29.9");
    expect(extension.critical).to.equal(false);
    expect(hex(extension.value)).to.equal("3018301606056781050210310d300b0c03322e30020100020167");
    expect(parseTpmSpecificationExtension(extension.value)).to.deep.equal({ family: "2.0", level: 0, revision: 103 });
  });

  it("parses its own SAN and the one-RDN layout seen in the wild", () => {
    const own = createTpmSubjectAltName({ manufacturerId: 0x414d4400, model: "AMD fTPM", version: 0x00030005 });
    expect(parseTpmSubjectAltName(own.value)).to.deep.equal({
      manufacturerId: 0x414d4400,
      model: "AMD fTPM",
      version: 0x00030005,
    });
    const attribute = (type: string, value: string): AttributeTypeAndValue =>
      new AttributeTypeAndValue({ type, value: new AttributeValue({ printableString: value }) });
    const oneRdn = new GeneralNames([
      new GeneralName({
        directoryName: new Name([
          new RelativeDistinguishedName([
            attribute(TCG_OID.tpmManufacturer, "id:53544D20"),
            attribute(TCG_OID.tpmModel, "ST33"),
            attribute(TCG_OID.tpmVersion, "id:00490008"),
          ]),
        ]),
      }),
    ]);
    expect(parseTpmSubjectAltName(AsnConvert.serialize(oneRdn))).to.deep.equal({
      manufacturerId: 0x53544d20,
      model: "ST33",
      version: 0x00490008,
    });
  });

  it("returns undefined for a SAN without the TPM attributes", () => {
    const dns = new GeneralNames([new GeneralName({ dNSName: "example.test" })]);
    expect(parseTpmSubjectAltName(AsnConvert.serialize(dns))).to.equal(undefined);
  });

  it("formats and parses id:XXXXXXXX values", () => {
    expect(formatTpmId(0x53544d20)).to.equal("id:53544D20");
    expect(formatTpmId(7)).to.equal("id:00000007");
    expect(parseTpmId("id:0007000c")).to.equal(0x0007000c);
    expect(parseTpmId("0007000C")).to.equal(undefined);
    expect(() => formatTpmId(2 ** 32)).to.throw(RangeError);
    expect(() => createTpmSubjectAltName({ manufacturerId: 1, model: "", version: 1 })).to.throw(RangeError);
  });
});
