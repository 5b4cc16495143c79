import { expect } from "chai";
import {
  ERRORS,
  MDE2_ACTIONS,
  buildFault,
  faultError,
  faultOf,
  isMde2FaultCode,
  parseFault,
  type Mde2FaultCode,
} from "../../../protocol/index.js";
import { codeOf } from "./support.js";

const HRESULTS: Readonly<Record<Mde2FaultCode, number>> = {
  MDE2_MESSAGE_FORMAT: 0x80180001,
  MDE2_AUTHENTICATION: 0x80180002,
  MDE2_AUTHORIZATION: 0x80180003,
  MDE2_CERTIFICATE_REQUEST: 0x80180004,
  MDE2_ENROLLMENT_SERVER: 0x80180005,
  MDE2_INTERNAL_SERVICE_FAULT: 0x80180006,
  MDE2_INVALID_SECURITY: 0x80180007,
  MDE2_DEVICE_CAP_REACHED: 0x80180013,
  MDE2_DEVICE_NOT_SUPPORTED: 0x80180014,
  MDE2_NOT_SUPPORTED: 0x80180015,
  MDE2_NOT_ELIGIBLE_TO_RENEW: 0x80180016,
  MDE2_IN_MAINTENANCE: 0x80180017,
  MDE2_USER_LICENSE: 0x80180018,
  MDE2_INVALID_ENROLLMENT_DATA: 0x80180019,
};

describe("protocol/mde2/faults", () => {
  it("sends every MS-MDE2 code as a fault that reads back as the same code and MENROLL_E HRESULT", () => {
    for (const code of Object.keys(HRESULTS) as Mde2FaultCode[]) {
      expect(isMde2FaultCode(code)).to.equal(true);
      expect(ERRORS[code].hresult, code).to.equal(HRESULTS[code]);
      const xml = buildFault(faultOf(code, `${code} happened`, "urn:uuid:9"), MDE2_ACTIONS.requestSecurityTokenResponse, "trace-1");
      const fault = parseFault(xml);
      expect(fault.code, code).to.equal(code);
      expect(fault.hresult).to.equal(HRESULTS[code]);
      expect(fault.reason).to.equal(`${code} happened`);
      expect(fault.relatesTo).to.equal("urn:uuid:9");
    }
    expect(isMde2FaultCode("EK_CERT_MISSING")).to.equal(false);
  });

  it("puts the subcodes in their namespaces and the finer errors in a DeviceEnrollmentServiceError detail", () => {
    const security = buildFault(faultOf("MDE2_INVALID_SECURITY"), MDE2_ACTIONS.getPoliciesResponse, "t");
    expect(security).to.contain("<s:Value>s:Sender</s:Value>").and.contain("<s:Value>a:InvalidSecurity</s:Value>");
    const notSupported = buildFault(faultOf("MDE2_DEVICE_NOT_SUPPORTED"), MDE2_ACTIONS.requestSecurityTokenResponse, "t");
    expect(notSupported).to.contain("<s:Value>s:Receiver</s:Value>").and.contain("<s:Value>s:Authorization</s:Value>");
    expect(notSupported).to.contain("<ErrorType>DeviceNotSupported</ErrorType>").and.contain("<TraceId>t</TraceId>");
  });

  it("reads the lower-case fault of MS-MDE2's example and gives the registry error a device reports", () => {
    const example =
      '<s:envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing">' +
      "<s:header><a:relatesto>urn:uuid:0d5a1441</a:relatesto></s:header><s:body><s:fault><s:code><s:value>s:receiver</s:value>" +
      "<s:subcode><s:value>s:authorization</s:value></s:subcode></s:code><s:reason>" +
      '<s:text xml:lang="en-us">This User is not authorized to enroll</s:text></s:reason></s:fault></s:body></s:envelope>';
    expect(codeOf(() => parseFault(example)), "element names are case-sensitive: this is not an Envelope").to.equal("MDE2_MESSAGE_FORMAT");
    const cased = example
      .replace(/<(\/?)s:envelope/g, "<$1s:Envelope")
      .replace(/<(\/?)s:header/g, "<$1s:Header")
      .replace(/<(\/?)a:relatesto/g, "<$1a:RelatesTo")
      .replace(/<(\/?)s:body/g, "<$1s:Body")
      .replace(/<(\/?)s:fault/g, "<$1s:Fault")
      .replace(/<(\/?)s:code/g, "<$1s:Code")
      .replace(/<(\/?)s:value/g, "<$1s:Value")
      .replace(/<(\/?)s:subcode/g, "<$1s:Subcode")
      .replace(/<(\/?)s:reason/g, "<$1s:Reason")
      .replace(/<(\/?)s:text/g, "<$1s:Text");
    const fault = parseFault(cased);
    expect(fault.code).to.equal("MDE2_AUTHORIZATION");
    expect(fault.relatesTo).to.equal("urn:uuid:0d5a1441");
    const error = faultError(fault);
    expect(error.code).to.equal("MDE2_AUTHORIZATION");
    expect(error.hresult).to.equal(0x80180003);
    expect(error.message).to.contain("This User is not authorized to enroll");
  });

  it("refuses a fault with an unknown subcode", () => {
    const xml = buildFault(faultOf("MDE2_AUTHENTICATION"), MDE2_ACTIONS.discoverResponse, "t").replace("s:Authentication", "s:Mystery");
    expect(codeOf(() => parseFault(xml))).to.equal("MDE2_MESSAGE_FORMAT");
  });
});
