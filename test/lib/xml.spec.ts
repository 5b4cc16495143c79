import { expect } from "chai";
import { XmlError, attributeValue, childElement, childElements, parseXml, serializeXml, xmlNode } from "../../lib/index.js";

function xmlErrorOf(run: () => unknown): XmlError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(XmlError);
    return error as XmlError;
  }
  expect.fail("expected an XmlError");
}

describe("lib/xml", () => {
  it("resolves namespaces whatever the prefixes, including default and redeclared ones", () => {
    const a = parseXml('<s:E xmlns:s="urn:soap" xmlns="urn:d"><s:B><x k="1" s:k="2">t</x></s:B></s:E>');
    const b = parseXml('<env:E xmlns:env="urn:soap"><env:B><p:x xmlns:p="urn:d" xmlns:q="urn:soap" k="1" q:k="2">t</p:x></env:B></env:E>');
    for (const root of [a, b]) {
      expect(root.namespace).to.equal("urn:soap");
      const x = childElement(childElement(root, "urn:soap", "B")!, "urn:d", "x")!;
      expect(x.text).to.equal("t");
      expect(attributeValue(x, "", "k")).to.equal("1");
      expect(attributeValue(x, "urn:soap", "k")).to.equal("2");
      expect(x.attributes.some((attribute) => attribute.name.startsWith("xmlns"))).to.equal(false);
    }
    expect(childElements(a, "urn:other", "B")).to.deep.equal([]);
  });

  it("decodes the predefined entities and character references once, keeps CDATA verbatim and text untrimmed", () => {
    const root = parseXml('<r a="&quot;&#65;&amp;#66;"> &lt;x&gt; &#x263A;<![CDATA[&amp;<y>]]></r>');
    expect(attributeValue(root, "", "a")).to.equal('"A&#66;');
    expect(root.text).to.equal(" <x> \u263a&amp;<y>");
  });

  it("accepts UTF-8 bytes with a byte-order mark and an XML declaration", () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="utf-8"?><r>é</r>')]);
    expect(parseXml(bytes).text).to.equal("é");
  });

  it("refuses DTDs and entity declarations (no entity expansion), undefined entities and unbound prefixes", () => {
    expect(xmlErrorOf(() => parseXml('<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')).code).to.equal("XML_FORBIDDEN");
    expect(xmlErrorOf(() => parseXml("<r>&a;</r>")).code).to.equal("XML_MALFORMED");
    expect(xmlErrorOf(() => parseXml("<p:r/>")).code).to.equal("XML_MALFORMED");
    expect(xmlErrorOf(() => parseXml('<r x="&#0;"/>')).code).to.equal("XML_MALFORMED");
  });

  it("refuses documents that are not well-formed or hold more than one root", () => {
    for (const bad of ["<a><b></a>", "<a/><b/>", "<a>", "text<a/>", "", "<a x=1/>", Buffer.from([0x3c, 0x61, 0xff, 0x2f, 0x3e])]) {
      expect(xmlErrorOf(() => parseXml(bad)).code, String(bad)).to.equal("XML_MALFORMED");
    }
  });

  it("bounds size, depth and element count", () => {
    expect(xmlErrorOf(() => parseXml(`<r>${"x".repeat(2000)}</r>`, { maxBytes: 1000 })).code).to.equal("XML_TOO_LARGE");
    expect(xmlErrorOf(() => parseXml(`${"<a>".repeat(20)}${"</a>".repeat(20)}`, { maxDepth: 10 })).code).to.equal("XML_TOO_LARGE");
    expect(xmlErrorOf(() => parseXml(`<r>${"<a/>".repeat(50)}</r>`, { maxElements: 20 })).code).to.equal("XML_TOO_LARGE");
  });

  it("serializes escaped text and attributes that parse back to the same values", () => {
    const text = `a < b & "c" > 'd'\n`;
    const xml = serializeXml(xmlNode("p:r", { "xmlns:p": "urn:p", v: text, absent: undefined }, xmlNode("p:c", {}, text), undefined, xmlNode("e")), {
      declaration: true,
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?><p:r xmlns:p="urn:p" v=')).to.equal(true);
    expect(xml).to.not.contain("absent");
    const root = parseXml(xml);
    expect(attributeValue(root, "", "v")).to.equal(text);
    expect(childElement(root, "urn:p", "c")!.text).to.equal(text);
    expect(root.children.map((child) => child.name)).to.deep.equal(["p:c", "e"]);
  });
});
