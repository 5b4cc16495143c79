import { expect } from "chai";
import { enrollmentContextItems, parseRequestSecurityToken, readEnrollmentContext, type EnrollmentContext } from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

describe("protocol/mde2/enrollment-context", () => {
  it("reads the typed context of the captured Windows 10 request", async () => {
    const context = readEnrollmentContext(parseRequestSecurityToken(await fixture("enrollment-request.xml")).context);
    expect(context).to.deep.include({
      uxInitiated: true,
      locale: "en-US",
      targetedUserLoggedIn: true,
      osEdition: "72",
      deviceName: "DESKTOP-28FGAI6",
      deviceId: "1E08C6E95D8BB843B1278FF45BC60CC6",
      enrollmentType: "Full",
      deviceType: "CIMClient_Windows",
      osVersion: "10.0.19043.2364",
      applicationVersion: "10.0.19043.2364",
      notInOobe: false,
      requestVersion: undefined,
    });
    expect(context.macAddresses).to.deep.equal([
      "00-0C-29-51-60-9D",
      "1A-77-20-52-41-53",
      "1A-77-20-52-41-53",
      "00-0C-29-51-60-A7",
      "18-14-20-52-41-53",
      "00-0C-29-51-60-93",
    ]);
  });

  it("builds the items an Autopilot device sends during OOBE and reads them back", () => {
    const context: EnrollmentContext = {
      uxInitiated: false,
      hwDevId: "0F".repeat(32),
      locale: "en-US",
      targetedUserLoggedIn: undefined,
      osEdition: "4",
      deviceName: "DESKTOP-APSIM01",
      macAddresses: ["00-15-5D-00-00-01", "00-15-5D-00-00-02"],
      deviceId: "0123456789ABCDEF0123456789ABCDEF",
      enrollmentType: "Device",
      deviceType: "CIMClient_Windows",
      osVersion: "10.0.22631.4602",
      applicationVersion: "10.0.22631.4602",
      notInOobe: false,
      requestVersion: "5.0",
    };
    const items = enrollmentContextItems(context);
    expect(items.map((item) => item.name)).to.deep.equal([
      "UXInitiated", "HWDevID", "Locale", "OSEdition", "DeviceName", "MAC", "MAC", "DeviceID", "EnrollmentType",
      "DeviceType", "OSVersion", "ApplicationVersion", "NotInOobe", "RequestVersion",
    ]);
    expect(readEnrollmentContext(items)).to.deep.equal(context);
  });

  it("refuses a missing or malformed DeviceID and a boolean item that is not a boolean", () => {
    expect(codeOf(() => readEnrollmentContext([{ name: "EnrollmentType", value: "Full" }]))).to.equal("MDE2_INVALID_ENROLLMENT_DATA");
    expect(codeOf(() => readEnrollmentContext([{ name: "DeviceID", value: "not-hex" }]))).to.equal("MDE2_INVALID_ENROLLMENT_DATA");
    const deviceId = { name: "DeviceID", value: "0123456789ABCDEF0123456789ABCDEF" };
    expect(codeOf(() => readEnrollmentContext([deviceId, { name: "NotInOobe", value: "maybe" }]))).to.equal("MDE2_MESSAGE_FORMAT");
  });
});
