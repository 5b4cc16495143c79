import { expect } from "chai";
import {
  MDE2_TOKEN_TYPES,
  buildRequestSecurityToken,
  buildRequestSecurityTokenResponse,
  contextValue,
  contextValues,
  parseRequestSecurityToken,
  parseRequestSecurityTokenResponse,
  type RequestSecurityToken,
} from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

describe("protocol/mde2/enrollment", () => {
  it("reads the RequestSecurityToken a real Windows 10 device sent: CSR bytes and AdditionalContext", async () => {
    const request = parseRequestSecurityToken(await fixture("enrollment-request.xml"));
    expect(request.tokenType).to.equal(MDE2_TOKEN_TYPES.deviceEnrollment);
    expect(request.requestType).to.equal(MDE2_TOKEN_TYPES.issue);
    expect(request.requestValueType).to.equal(MDE2_TOKEN_TYPES.pkcs10);
    expect(request.certificateRequest.length).to.equal(722);
    expect(request.certificateRequest[0]).to.equal(0x30);
    expect(request.security).to.deep.equal({ kind: "username", username: "demo@pocmdmserver.com", password: "demo" });
    expect(contextValue(request.context, "DeviceID")).to.equal("1E08C6E95D8BB843B1278FF45BC60CC6");
    expect(contextValue(request.context, "enrollmenttype")).to.equal("Full");
    expect(contextValue(request.context, "NotInOobe")).to.equal("false");
    expect(contextValue(request.context, "HWDevID")).to.have.length(64);
    expect(contextValues(request.context, "MAC")).to.have.length(6);
    expect(contextValue(request.context, "RequestVersion")).to.equal(undefined);
  });

  it("round-trips a request with every context item and a response with its provisioning document", () => {
    const request: RequestSecurityToken = {
      messageId: "urn:uuid:2",
      to: "https://127.0.0.1/EnrollmentServer/Enrollment.svc",
      security: { kind: "binary", valueType: MDE2_TOKEN_TYPES.jwt, value: Buffer.from("a.b.c").toString("base64") },
      tokenType: MDE2_TOKEN_TYPES.deviceEnrollment,
      requestType: MDE2_TOKEN_TYPES.issue,
      requestValueType: MDE2_TOKEN_TYPES.pkcs10,
      certificateRequest: Buffer.from("3003020100", "hex"),
      context: [
        { name: "UXInitiated", value: "false" },
        { name: "HWDevID", value: "AB".repeat(32) },
        { name: "Locale", value: "en-US" },
        { name: "OSEdition", value: "4" },
        { name: "DeviceName", value: "DESKTOP-<&>" },
        { name: "MAC", value: "00-11-22-33-44-55" },
        { name: "MAC", value: "00-11-22-33-44-66" },
        { name: "DeviceID", value: "0123456789ABCDEF0123456789ABCDEF" },
        { name: "EnrollmentType", value: "Device" },
        { name: "DeviceType", value: "CIMClient_Windows" },
        { name: "OSVersion", value: "10.0.22631.1" },
        { name: "ApplicationVersion", value: "10.0.22631.1" },
        { name: "NotInOobe", value: "false" },
        { name: "RequestVersion", value: "5.0" },
      ],
    };
    const parsed = parseRequestSecurityToken(buildRequestSecurityToken(request));
    expect({ ...parsed, certificateRequest: Buffer.from(parsed.certificateRequest) }).to.deep.equal({
      ...request,
      certificateRequest: Buffer.from(request.certificateRequest),
    });
    const document = '<wap-provisioningdoc version="1.1"><characteristic type="x"/></wap-provisioningdoc>';
    expect(parseRequestSecurityTokenResponse(buildRequestSecurityTokenResponse({ relatesTo: "urn:uuid:2", provisioningDocument: document }))).to.deep.equal({
      relatesTo: "urn:uuid:2",
      provisioningDocument: document,
      timestamp: undefined,
    });
    const timestamp = { created: new Date(Date.UTC(2026, 2, 1)), expires: new Date(Date.UTC(2026, 2, 1, 0, 5)) };
    const stamped = buildRequestSecurityTokenResponse({ relatesTo: "urn:uuid:3", provisioningDocument: document, timestamp });
    expect(parseRequestSecurityTokenResponse(stamped).timestamp).to.deep.equal(timestamp);
  });

  it("refuses a CSR that is not base64, an unknown value type, and a body of the wrong namespace", async () => {
    const xml = await fixture("enrollment-request.xml");
    expect(codeOf(() => parseRequestSecurityToken(xml.replace(">MIICzjCC", ">!!!!MIICzjCC")))).to.equal("MDE2_MESSAGE_FORMAT");
    expect(codeOf(() => parseRequestSecurityToken(xml.replace("enrollment#PKCS10", "enrollment#X509")))).to.equal("MDE2_MESSAGE_FORMAT");
    const wrong = xml.replace('xmlns:wst="http://docs.oasis-open.org/ws-sx/ws-trust/200512"', 'xmlns:wst="http://schemas.xmlsoap.org/ws/2005/02/trust"');
    expect(codeOf(() => parseRequestSecurityToken(wrong))).to.equal("MDE2_MESSAGE_FORMAT");
  });
});
