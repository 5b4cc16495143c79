import { expect } from "chai";
import { ProtocolError, parseFederatedAppru, parseSignInRequest, parseSignInResponse } from "../../protocol/index.js";

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ProtocolError ? error.code : `not a ProtocolError: ${String(error)}`;
  }
  return undefined;
}

describe("protocol/sign-in", () => {
  it("reads a sign-in request and refuses missing, oversized or unknown fields' values", () => {
    expect(parseSignInRequest({ upn: "adele@contoso.example", password: "pw", audience: "mdm" })).to.deep.equal({
      upn: "adele@contoso.example",
      password: "pw",
      audience: "mdm",
    });
    for (const body of [
      null,
      { upn: "a@b.example", audience: "mdm" },
      { upn: "a@b.example", password: "x".repeat(257), audience: "mdm" },
      { upn: "a@b.example", password: "pw", audience: "graph" },
      { upn: 7, password: "pw", audience: "mdm" },
    ]) {
      expect(codeOf(() => parseSignInRequest(body)), JSON.stringify(body)).to.equal("MALFORMED_REQUEST");
    }
  });

  it("reads the token endpoint's answer; anything else is MALFORMED_RESPONSE", () => {
    expect(parseSignInResponse({ accessToken: "a.b.c", expiresIn: 3600 })).to.deep.equal({ accessToken: "a.b.c", expiresIn: 3600 });
    for (const body of [{ accessToken: "a.b.c" }, { accessToken: "", expiresIn: 1 }, { accessToken: "a.b.c", expiresIn: -1 }, "token"]) {
      expect(codeOf(() => parseSignInResponse(body)), JSON.stringify(body)).to.equal("MALFORMED_RESPONSE");
    }
  });

  it("accepts only ms-app:// return addresses", () => {
    expect(parseFederatedAppru("ms-app://s-1-15-2-1-2-3")).to.equal("ms-app://s-1-15-2-1-2-3");
    for (const appru of ["https://evil.example/", "ms-app:opaque", "MS-APP:/one-slash", "javascript:alert(1)", "", 42, "ms-app://" + "x".repeat(2048)]) {
      expect(codeOf(() => parseFederatedAppru(appru)), String(appru).slice(0, 30)).to.equal("FEDERATED_APPRU_INVALID");
    }
  });
});
