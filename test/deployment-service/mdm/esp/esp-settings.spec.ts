/** ESP settings as an administrator sends them: Intune's bounds and defaults. */
import { expect } from "chai";
import { DEFAULT_ESP_SETTINGS, blockInStatusPage, parseEspSettings } from "../../../../deployment-service/mdm/index.js";

describe("deployment-service/mdm/esp/esp-settings", () => {
  it("refuses bad settings with ESP_SETTINGS_INVALID", () => {
    const codeOf = (document: unknown) => {
      try {
        parseEspSettings(document);
        return "OK";
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(codeOf({ timeoutMinutes: 0 })).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf({ timeoutMinutes: 1441 })).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf({ selectedApps: Array.from({ length: 101 }, (_, index) => `app-${index}`) })).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf({ blockDeviceUse: false, allowUseOnError: true })).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf({ colour: "blue" })).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf([])).to.equal("ESP_SETTINGS_INVALID");
    expect(codeOf({ selectedApps: Array.from({ length: 100 }, (_, index) => `app-${index}`) })).to.equal("OK");
  });

  it("fills Intune's defaults and maps blocking and the ways out to BlockInStatusPage bits", () => {
    expect(parseEspSettings({})).to.deep.equal(DEFAULT_ESP_SETTINGS);
    expect(blockInStatusPage(parseEspSettings({ blockDeviceUse: false }))).to.equal(0);
    expect(blockInStatusPage(parseEspSettings({ allowReset: true, allowUseOnError: true }))).to.equal(7);
    expect(blockInStatusPage(parseEspSettings({ allowUseOnError: true }))).to.equal(5);
  });
});
