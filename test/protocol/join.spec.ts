import { expect } from "chai";
import {
  JOIN_API_VERSION,
  ProtocolError,
  formatJoinRequest,
  formatJoinResponse,
  formatOdjBlob,
  parseJoinRequest,
  parseJoinResponse,
  parseOdjBlob,
  type JoinRequest,
} from "../../protocol/index.js";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const attested: JoinRequest = {
  v: JOIN_API_VERSION,
  mode: "self-deploying",
  joinType: "entra",
  serialNumber: "PF3ABCDE",
  deviceKey: bytes(90, 1),
  attestation: { aikCertificate: bytes(700, 2), akPublic: bytes(90, 3), token: "a.b.c", certifyInfo: bytes(120, 4), certifySignature: bytes(70, 5) },
};

describe("protocol/join", () => {
  it("a self-deploying request survives format and parse as JSON text", () => {
    const parsed = parseJoinRequest(JSON.parse(JSON.stringify(formatJoinRequest(attested))));
    expect(parsed).to.deep.equal(attested);
  });

  it("a user-driven hybrid request carries credentials", () => {
    const request: JoinRequest = {
      v: 1,
      mode: "user-driven",
      joinType: "hybrid",
      serialNumber: "S1",
      deviceName: "DESKTOP-1",
      deviceKey: bytes(10, 7),
      credentials: { userPrincipalName: "ada@contoso.example", password: "pw" },
    };
    expect(parseJoinRequest(JSON.parse(JSON.stringify(formatJoinRequest(request))))).to.deep.equal(request);
  });

  it("refuses requests missing what their mode needs, and malformed fields, with MALFORMED_REQUEST", () => {
    const body = formatJoinRequest(attested);
    expect(codeOf(() => parseJoinRequest({ ...body, attestation: undefined }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, mode: "user-driven" }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, joinType: "hybrid" }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, mode: "kiosk" }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, deviceKey: "not base64!" }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, deviceKey: "A".repeat(10_000) }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, serialNumber: "" }))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest([]))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseJoinRequest({ ...body, v: 2 }))).to.equal("UNSUPPORTED_VERSION");
  });

  it("a response survives format and parse", () => {
    const response = {
      v: 1,
      deviceId: "8d9c3e29-1f00-4a00-8000-00000000abcd",
      joinType: "hybrid" as const,
      deviceCertificate: bytes(600, 9),
      deviceCertificateChain: [bytes(800, 8)],
      deviceToken: "x.y.z",
      odjBlob: "e30=",
    };
    expect(parseJoinResponse(JSON.parse(JSON.stringify(formatJoinResponse(response))))).to.deep.equal(response);
    expect(codeOf(() => parseJoinResponse({ ...formatJoinResponse(response), deviceToken: 5 }))).to.equal("MALFORMED_REQUEST");
  });

  it("an offline domain join blob round-trips and names a virtual-host domain controller", () => {
    const blob = { domain: "corp.contoso.example", netbiosDomain: "CORP", machineName: "APSIM-1", machinePassword: "s3cret", domainController: "dc01.corp.ad.apsim.test" };
    expect(parseOdjBlob(formatOdjBlob(blob))).to.deep.equal({ v: 1, ...blob });
    expect(codeOf(() => parseOdjBlob(formatOdjBlob({ ...blob, domainController: "dc01.corp.example.com" })))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseOdjBlob(Buffer.from("not json").toString("base64")))).to.equal("MALFORMED_REQUEST");
    expect(codeOf(() => parseOdjBlob("***"))).to.equal("MALFORMED_REQUEST");
  });
});
