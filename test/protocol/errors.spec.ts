import { expect } from "chai";
import { readFile } from "node:fs/promises";
import {
  ERRORS,
  ProtocolError,
  errorBody,
  errorDefinition,
  formatHresult,
  parseErrorBody,
  renderErrorTable,
} from "../../protocol/index.js";

describe("protocol/errors", () => {
  it("maps the rejections Windows shows to their documented HRESULTs", () => {
    expect(formatHresult(ERRORS.EK_CERT_UNTRUSTED.hresult!)).to.equal("0x80190190");
    expect(formatHresult(ERRORS.TPM_VULNERABLE_KEY.hresult!)).to.equal("0x81039024");
    expect(formatHresult(ERRORS.TPM_NOT_SUPPORTED.hresult!)).to.equal("0x800705b4");
    expect(formatHresult(ERRORS.SERVICE_UNREACHABLE.hresult!)).to.equal("0x800705b4");
    expect(formatHresult(ERRORS.RETRY_BUDGET_EXHAUSTED.hresult!)).to.equal("0x81039001");
  });

  it("round-trips an error body and keeps unknown codes unretried", () => {
    const body = errorBody(new ProtocolError("VENDOR_ENDPOINT_UNAVAILABLE", "INTC"));
    expect(parseErrorBody(body)).to.deep.equal({
      code: "VENDOR_ENDPOINT_UNAVAILABLE",
      message: "the TPM vendor's EK certificate endpoint did not answer: INTC",
      hresult: "0x801901f7",
      retryable: true,
    });
    expect(parseErrorBody({ error: { code: "NEW_CODE", message: "m" } })).to.deep.equal({ code: "NEW_CODE", message: "m", retryable: false });
    expect(parseErrorBody({ nope: 1 })).to.equal(undefined);
    expect(errorDefinition("toString")).to.equal(undefined);
  });

  it("is listed in README exactly as the registry says (npm run docs regenerates it)", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).to.contain(renderErrorTable());
  });
});
