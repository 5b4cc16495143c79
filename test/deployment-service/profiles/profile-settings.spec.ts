import { expect } from "chai";
import { parseProfileSettings } from "../../../deployment-service/profiles/profile-settings.js";
import { ProtocolError } from "../../../protocol/index.js";

function problem(input: unknown): string {
  try {
    parseProfileSettings(input);
  } catch (error) {
    if (error instanceof ProtocolError && error.code === "PROFILE_INVALID") return error.message;
    throw error;
  }
  return "accepted";
}

describe("deployment-service/profiles/profile-settings", () => {
  it("fills in the portal's defaults", () => {
    expect(parseProfileSettings({ mode: "user-driven" })).to.deep.equal({
      mode: "user-driven",
      allowPreProvisioning: false,
      join: "entra",
      oobe: { hideLicenseTerms: true, hidePrivacySettings: true, hideChangeAccountOptions: true, userType: "standard", skipKeyboardSelection: false },
    });
  });

  it("keeps language, region, keyboard and a valid name template", () => {
    const settings = parseProfileSettings({
      mode: "user-driven",
      allowPreProvisioning: true,
      language: "fr-CA",
      region: "fr-CA",
      keyboard: "en-US",
      oobe: { skipKeyboardSelection: true, userType: "administrator" },
      deviceNameTemplate: "MTL-%RAND:6%",
    });
    expect(settings).to.include({ language: "fr-CA", region: "fr-CA", keyboard: "en-US", deviceNameTemplate: "MTL-%RAND:6%", allowPreProvisioning: true });
    expect(settings.oobe).to.include({ skipKeyboardSelection: true, userType: "administrator" });
  });

  it("refuses the combinations Autopilot does not offer", () => {
    expect(problem({ mode: "kiosk" })).to.match(/mode must be/);
    expect(problem({ mode: "self-deploying", join: "hybrid" })).to.match(/Entra ID only/);
    expect(problem({ mode: "self-deploying", allowPreProvisioning: true })).to.match(/user-driven profiles only/);
    expect(problem({ mode: "user-driven", join: "hybrid", deviceNameTemplate: "PC-%SERIAL%" })).to.match(/Entra join only/);
    expect(problem({ mode: "user-driven", deviceNameTemplate: "%RAND:9%" })).to.match(/only digits/);
    expect(problem({ mode: "user-driven", oobe: { skipKeyboardSelection: true } })).to.match(/needs a language/);
    expect(problem({ mode: "user-driven", language: "English" })).to.match(/language is not valid/);
    expect(problem({ mode: "user-driven", oobe: { userType: "guest" } })).to.match(/userType/);
    expect(problem({ mode: "user-driven", allowPreProvisioning: "yes" })).to.match(/true or false/);
    expect(problem("user-driven")).to.match(/JSON object/);
  });
});
