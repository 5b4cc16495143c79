import { expect } from "chai";
import { seededRandom } from "../../../lib/index.js";
import {
  ProtocolError,
  parseDiscoverRequest,
  parseGetPoliciesRequest,
  parseProvisioningDocument,
  parseRequestSecurityToken,
} from "../../../protocol/index.js";
import { fixture } from "./support.js";

const SEED = 0x6d2e2;
const MUTATIONS_PER_FIXTURE = 300;
const SNIPPETS = ["<", ">", "&", "&amp;", '"', "</s:Body>", "<a:x>", "xmlns:s=\"urn:x\"", "\u0000", "]]>", "<!--", "é"];

/** One random edit of `text`: delete a span, duplicate a span, or insert a markup snippet. */
function mutate(text: string, random: () => number): string {
  const at = Math.floor(random() * text.length);
  const span = 1 + Math.floor(random() * 40);
  switch (Math.floor(random() * 3)) {
    case 0:
      return text.slice(0, at) + text.slice(at + span);
    case 1:
      return text.slice(0, at) + text.slice(at, at + span) + text.slice(at);
    default:
      return text.slice(0, at) + SNIPPETS[Math.floor(random() * SNIPPETS.length)]! + text.slice(at);
  }
}

describe("protocol/mde2: mutated messages", () => {
  const parsers: [string, (input: string) => unknown][] = [
    ["discovery-request.xml", parseDiscoverRequest],
    ["policy-request.xml", parseGetPoliciesRequest],
    ["enrollment-request.xml", parseRequestSecurityToken],
  ];
  for (const [name, parse] of parsers) {
    it(`either reads a mutated ${name} or refuses it with a registry code (seed ${SEED})`, async () => {
      const original = await fixture(name);
      const random = seededRandom(SEED);
      let refused = 0;
      for (let i = 0; i < MUTATIONS_PER_FIXTURE; i++) {
        const mutated = mutate(original, random);
        try {
          parse(mutated);
        } catch (error) {
          expect(error, `mutation ${i} (seed ${SEED}) threw something else than a registry error`).to.be.instanceOf(ProtocolError);
          expect((error as ProtocolError).code).to.match(/^MDE2_/);
          refused++;
        }
      }
      expect(refused, "most mutations break the message").to.be.greaterThan(MUTATIONS_PER_FIXTURE / 4);
    });
  }

  it("refuses mutated provisioning documents with a registry code only", () => {
    const random = seededRandom(SEED);
    const document =
      '<wap-provisioningdoc version="1.1"><characteristic type="CertificateStore"><characteristic type="Root">' +
      '<characteristic type="System"/></characteristic></characteristic><characteristic type="APPLICATION">' +
      '<parm name="APPID" value="w7"/></characteristic></wap-provisioningdoc>';
    for (let i = 0; i < MUTATIONS_PER_FIXTURE; i++) {
      expect(() => parseProvisioningDocument(mutate(document, random))).to.throw(ProtocolError);
    }
  });
});
