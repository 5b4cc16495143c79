import { expect } from "chai";
import {
  MDE2_MAX_MESSAGE_BYTES,
  buildDiscoverRequest,
  buildDiscoverResponse,
  parseDiscoverRequest,
  parseDiscoverResponse,
  type DiscoverRequest,
  type DiscoverResponse,
} from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

describe("protocol/mde2/discovery", () => {
  it("reads the Discover request a real Windows 10 device sent", async () => {
    const request = parseDiscoverRequest(await fixture("discovery-request.xml"));
    expect(request).to.deep.equal({
      messageId: "urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478",
      to: "https://EnterpriseEnrollment.pocmdmserver.com:443/EnrollmentServer/Discovery.svc",
      emailAddress: "demo@pocmdmserver.com",
      requestVersion: "4.0",
      deviceType: "CIMClient_Windows",
      applicationVersion: "10.0.19043.2364",
      osEdition: "72",
      authPolicies: ["OnPremise", "Federated"],
    });
  });

  it("round-trips a request and a response, whatever prefixes the peer chose", () => {
    const request: DiscoverRequest = {
      messageId: "urn:uuid:00000000-0000-4000-8000-000000000001",
      to: "https://enterpriseenrollment.contoso.apsim.test/EnrollmentServer/Discovery.svc",
      emailAddress: "ada@contoso.apsim.test",
      requestVersion: "5.0",
      deviceType: "CIMClient_Windows",
      applicationVersion: "10.0.22631.1",
      osEdition: "4",
      authPolicies: ["Federated"],
    };
    const xml = buildDiscoverRequest(request);
    expect(parseDiscoverRequest(xml)).to.deep.equal(request);
    const renamed = xml.replace(/<(\/?)s:/g, "<$1soap12:").replaceAll(" s:mustUnderstand", " soap12:mustUnderstand").replace("xmlns:s=", "xmlns:soap12=");
    expect(renamed).to.contain("<soap12:Envelope").and.not.contain("<s:");
    expect(parseDiscoverRequest(renamed)).to.deep.equal(request);

    const response: DiscoverResponse = {
      relatesTo: request.messageId,
      authPolicy: "Federated",
      enrollmentVersion: "5.0",
      enrollmentPolicyServiceUrl: "https://127.0.0.1:8443/EnrollmentServer/Policy.svc",
      enrollmentServiceUrl: "https://127.0.0.1:8443/EnrollmentServer/Enrollment.svc",
      authenticationServiceUrl: "https://127.0.0.1:8443/EnrollmentServer/Authenticate",
    };
    expect(parseDiscoverResponse(buildDiscoverResponse(response))).to.deep.equal(response);
    const minimal: DiscoverResponse = { relatesTo: "urn:uuid:x", authPolicy: "OnPremise", enrollmentServiceUrl: "https://h/e" };
    expect(parseDiscoverResponse(buildDiscoverResponse(minimal))).to.deep.equal({
      ...minimal,
      enrollmentVersion: undefined,
      enrollmentPolicyServiceUrl: undefined,
      authenticationServiceUrl: undefined,
    });
  });

  it("refuses malformed XML, the wrong namespace, a missing address, an unknown policy and oversized input", async () => {
    const xml = await fixture("discovery-request.xml");
    expect(codeOf(() => parseDiscoverRequest(xml.slice(0, -20)))).to.equal("MDE2_MESSAGE_FORMAT");
    const wrongNamespace = xml.replace('xmlns="http://schemas.microsoft.com/windows/management/2012/01/enrollment"', 'xmlns="urn:other"');
    expect(codeOf(() => parseDiscoverRequest(wrongNamespace))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseDiscoverRequest(xml.replace(/<EmailAddress>.*<\/EmailAddress>/, "")))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseDiscoverRequest(xml.replace("<AuthPolicy>Federated", "<AuthPolicy>Kerberos")))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseDiscoverRequest(xml.replace("<s:Body>", `<s:Body>${" ".repeat(MDE2_MAX_MESSAGE_BYTES)}`)))).to.equal(
      "MDE2_MESSAGE_FORMAT",
    );
    expect(codeOf(() => parseDiscoverRequest(xml.replace("IDiscoveryService/Discover<", "IDiscoveryService/Other<")))).to.equal(
      "MDE2_MESSAGE_FORMAT",
    );
  });
});
