import { expect } from "chai";
import {
  buildGetPoliciesRequest,
  buildGetPoliciesResponse,
  parseGetPoliciesRequest,
  parseGetPoliciesResponse,
  type GetPoliciesResponse,
} from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

describe("protocol/mde2/policy", () => {
  it("reads the GetPolicies request and UsernameToken a real Windows 10 device sent", async () => {
    const request = parseGetPoliciesRequest(await fixture("policy-request.xml"));
    expect(request.messageId).to.equal("urn:uuid:72048B64-0F19-448F-8C2E-B4C661860AA0");
    expect(request.security).to.deep.equal({ kind: "username", username: "demo@pocmdmserver.com", password: "demo" });
    expect(request.lastUpdate).to.equal(undefined);
    expect(request.preferredLanguage).to.equal(undefined);
  });

  it("round-trips a request with a binary token and a response with its hash OID", () => {
    const security = { kind: "binary", valueType: "urn:ietf:params:oauth:token-type:jwt", value: "ZXlK" } as const;
    const xml = buildGetPoliciesRequest({ messageId: "urn:uuid:1", security, preferredLanguage: "en-US" });
    expect(parseGetPoliciesRequest(xml)).to.deep.equal({
      messageId: "urn:uuid:1",
      to: undefined,
      security,
      lastUpdate: undefined,
      preferredLanguage: "en-US",
    });
    const response: GetPoliciesResponse = {
      relatesTo: "urn:uuid:1",
      policy: { commonName: "p", minimalKeyLength: 2048, validityPeriodSeconds: 31_536_000, renewalPeriodSeconds: 15_552_000, hashAlgorithmOid: "1.3.14.3.2.29" },
    };
    expect(parseGetPoliciesResponse(buildGetPoliciesResponse(response))).to.deep.equal(response);
  });

  it("refuses a password type other than PasswordText and a body in the wrong namespace", async () => {
    const xml = await fixture("policy-request.xml");
    expect(codeOf(() => parseGetPoliciesRequest(xml.replace("#PasswordText", "#PasswordDigest")))).to.equal("MDE2_INVALID_SECURITY");
    const wrong = xml.replace('<GetPolicies xmlns="http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy">', '<GetPolicies xmlns="urn:x">');
    expect(codeOf(() => parseGetPoliciesRequest(wrong))).to.equal("MDE2_MESSAGE_FORMAT");
  });
});
