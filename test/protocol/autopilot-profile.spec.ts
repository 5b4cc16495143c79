import { expect } from "chai";
import {
  ProtocolError,
  deviceNameTemplateProblem,
  expandDeviceNameTemplate,
  formatAutopilotConfigurationFile,
  parseAutopilotConfigurationFile,
  parseAutopilotProfileRequest,
  type AutopilotConfigurationFile,
} from "../../protocol/index.js";

const FILE: AutopilotConfigurationFile = {
  Version: 2049,
  CloudAssignedTenantId: "1537de22-988c-4e93-b8a5-83890f34a69b",
  CloudAssignedTenantDomain: "contoso.example",
  CloudAssignedOobeConfig: 286,
  CloudAssignedDomainJoinMethod: 0,
  CloudAssignedForcedEnrollment: 1,
  ZtdCorrelationId: "7f9de5a4-3eb4-4fe2-8e7e-66a1b4c9b5f3",
  CloudAssignedAadServerData: JSON.stringify({ ZeroTouchConfig: { CloudAssignedTenantUpn: "", ForcedEnrollment: 1, CloudAssignedTenantDomain: "contoso.example" } }),
  CloudAssignedAutopilotUpdateDisabled: 1,
  CloudAssignedAutopilotUpdateTimeout: 1800000,
  Comment_File: "Profile Café",
  CloudAssignedDeviceName: "CT-%SERIAL%",
  DeploymentProfileName: "Café",
  CloudAssignedDeploymentMode: "user-driven",
  CloudAssignedPreProvisioningAllowed: 1,
};

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return "accepted";
}

describe("protocol/autopilot-profile", () => {
  it("writes the file as pure ASCII and reads it back unchanged", () => {
    const text = formatAutopilotConfigurationFile(FILE);
    expect(/[\u0080-\uffff]/.test(text)).to.equal(false);
    expect(text).to.contain("Caf\\u00e9");
    expect(parseAutopilotConfigurationFile(Buffer.from(text, "ascii"))).to.deep.equal(FILE);
  });

  it("refuses a UTF-8 or Unicode file, as OOBE ignores one", () => {
    const utf8 = Buffer.from(JSON.stringify(FILE), "utf8");
    expect(codeOf(() => parseAutopilotConfigurationFile(utf8))).to.equal("AUTOPILOT_PROFILE_MALFORMED");
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(formatAutopilotConfigurationFile(FILE))]);
    expect(codeOf(() => parseAutopilotConfigurationFile(bom))).to.equal("AUTOPILOT_PROFILE_MALFORMED");
  });

  it("refuses files with a property missing or of the wrong kind", () => {
    const variants: Record<string, unknown>[] = [
      { ...FILE, CloudAssignedTenantId: "{1537de22-988c-4e93-b8a5-83890f34a69b}" },
      { ...FILE, CloudAssignedDomainJoinMethod: 2 },
      { ...FILE, CloudAssignedOobeConfig: "286" },
      { ...FILE, CloudAssignedAadServerData: "{not json" },
      { ...FILE, CloudAssignedDeploymentMode: "kiosk" },
      { ...FILE, CloudAssignedDeviceName: "TOO-LONG-PREFIX-%SERIAL%" },
      Object.fromEntries(Object.entries(FILE).filter(([key]) => key !== "Version")),
    ];
    for (const variant of variants) expect(codeOf(() => parseAutopilotConfigurationFile(JSON.stringify(variant)))).to.equal("AUTOPILOT_PROFILE_MALFORMED");
    expect(codeOf(() => parseAutopilotConfigurationFile("[1]"))).to.equal("AUTOPILOT_PROFILE_MALFORMED");
  });

  it("validates device name templates by Autopilot's rules", () => {
    for (const good of ["CONTOSO-%SERIAL%", "LAB-%RAND:5%", "%SERIAL%", "A%RAND:14%", "PC1"]) expect(deviceNameTemplateProblem(good), good).to.equal(undefined);
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["MY PC-%SERIAL%", /" " at position 3/],
      ["%RAND:8%", /only digits/],
      ["12345", /only digits/],
      ["CONTOSO-LAPTOP-%SERIAL%", /longer than 15/],
      ["ABCDEFGHIJKLMNOP", /longer than 15/],
      ["A%RAND:0%", /at least 1/],
      ["%SERIAL%-%SERIAL%", /twice/],
      ["PC_%SERIAL%", /"_"/],
      ["PC%serial%", /"%"/],
    ];
    for (const [template, problem] of bad) expect(deviceNameTemplateProblem(template), template).to.match(problem);
  });

  it("expands %SERIAL% within 15 characters and %RAND:x% into x digits", () => {
    const digits = [3, 1, 4, 1, 5];
    let i = 0;
    const next = () => digits[i++ % digits.length]!;
    expect(expandDeviceNameTemplate("CT-%SERIAL%", "5CD8068X5C", next)).to.equal("CT-5CD8068X5C");
    expect(expandDeviceNameTemplate("CONTOSO-%SERIAL%", "PF-3A_B9Z 8872341", next)).to.equal("CONTOSO-PF-3AB9");
    expect(expandDeviceNameTemplate("LAB-%RAND:5%", "ignored", next)).to.equal("LAB-31415");
    expect(() => expandDeviceNameTemplate("%RAND:3%", "x", next)).to.throw(RangeError);
  });

  it("reads a device's profile request and refuses anything else", () => {
    expect(parseAutopilotProfileRequest({ hardwareHash: "T0HbAw==", serialNumber: "SN1" })).to.deep.equal({ hardwareHash: "T0HbAw==", serialNumber: "SN1" });
    for (const body of [null, {}, { hardwareHash: "not base64!" }, { hardwareHash: "QQ==", serialNumber: 7 }, { hardwareHash: "A".repeat(20000) }]) {
      expect(codeOf(() => parseAutopilotProfileRequest(body))).to.equal("MALFORMED_REQUEST");
    }
  });
});
