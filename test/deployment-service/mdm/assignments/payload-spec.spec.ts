import { expect } from "chai";
import { parsePayload, PAYLOAD_LIMITS } from "../../../../deployment-service/mdm/index.js";
import { ProtocolError } from "../../../../protocol/index.js";

const PRODUCT_CODE = "{0a1b2c3d-0000-4000-8000-00000000abcd}";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return undefined;
}

describe("deployment-service/mdm/assignments/payload-spec: payload documents", () => {
  it("reads a policy with its context, defaults and assignments", () => {
    const { spec, content } = parsePayload({ kind: "policy", name: "No camera", area: "Camera", policy: "AllowCamera", value: "0", assignments: { groups: ["g1", "g1"], allUsers: true } });
    expect(content).to.equal(undefined);
    expect(spec).to.deep.equal({
      kind: "policy",
      name: "No camera",
      context: "device",
      assignments: { allDevices: false, allUsers: true, groups: ["g1"] },
      area: "Camera",
      policy: "AllowCamera",
      value: "0",
      format: "int",
    });
  });

  it("reads an MSI app with its content bytes and an upper-case product code", () => {
    const bytes = Buffer.from("an msi package");
    const { spec, content } = parsePayload({ kind: "msi", name: "Tool", context: "user", productCode: PRODUCT_CODE, productVersion: "1.2.3", content: bytes.toString("base64") });
    expect(content?.equals(bytes)).to.equal(true);
    expect(spec).to.include({ kind: "msi", context: "user", productCode: PRODUCT_CODE.toUpperCase(), productVersion: "1.2.3", commandLine: "/quiet" });
  });

  it("refuses malformed documents with PAYLOAD_INVALID", () => {
    const msi = { kind: "msi", name: "Tool", productCode: PRODUCT_CODE, productVersion: "1.0", content: "AAAA" };
    const invalid = [
      null,
      { kind: "driver", name: "x" },
      { kind: "policy", name: "x", area: "Camera", policy: "AllowCamera", value: "zero" },
      { kind: "policy", name: "x", area: "../Camera", policy: "AllowCamera", value: "0" },
      { kind: "policy", name: "x", area: "Camera", policy: "AllowCamera", value: "0", context: "machine" },
      { kind: "policy", name: "x", area: "Camera", policy: "AllowCamera", value: "0", assignments: { groups: "g1" } },
      { ...msi, productCode: "0a1b2c3d" },
      { ...msi, content: "not base64!" },
      { ...msi, content: "A".repeat(Math.ceil(PAYLOAD_LIMITS.maxContentBytes / 3) * 4 + 4) },
      { kind: "edition-upgrade", name: "x", edition: "Enterprise", productKey: "NPPR9-FWDCX-D2C8J-H872K-2YT43", context: "user" },
      { kind: "edition-upgrade", name: "x", edition: "Enterprise", productKey: "not-a-key" },
      { kind: "script", name: "x", script: "" },
    ];
    for (const document of invalid) expect(codeOf(() => parsePayload(document)), JSON.stringify(document)?.slice(0, 80)).to.equal("PAYLOAD_INVALID");
  });
});
