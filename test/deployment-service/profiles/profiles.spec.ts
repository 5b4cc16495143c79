import { expect } from "chai";
import { oobeConfigOf } from "../../../deployment-service/profiles/configuration-file.js";
import { parseProfileSettings } from "../../../deployment-service/profiles/profile-settings.js";
import {
  assignProfile,
  createProfile,
  deviceProfile,
  exportOfflineProfile,
  listProfiles,
  resolveDeviceProfile,
} from "../../../deployment-service/profiles/profiles.js";
import { ProtocolError, parseAutopilotConfigurationFile } from "../../../protocol/index.js";
import { hardwareHashOf, openTestDirectory, type TestDirectory } from "../support/directory.js";

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return "resolved";
}

describe("deployment-service/profiles/profiles", () => {
  let t: TestDirectory;
  beforeEach(async () => {
    t = await openTestDirectory();
  });
  afterEach(async () => t.close());

  const register = (n: number, groupTag = "") =>
    t.directory.registerDevice(t.tenant, { serialNumber: `SN-${n}`, hardwareHash: hardwareHashOf(n), groupTag, assignedUser: "", registeredBy: "csv" });

  it("computes CloudAssignedOobeConfig as Intune's generator does", () => {
    // The documentation's example value 28 (4 + 8 + 16) plus Intune's 256, and 2 for a standard user.
    expect(oobeConfigOf(parseProfileSettings({ mode: "user-driven" }))).to.equal(2 + 4 + 8 + 16 + 256);
    expect(oobeConfigOf(parseProfileSettings({ mode: "user-driven", oobe: { userType: "administrator", hidePrivacySettings: false, hideLicenseTerms: false } }))).to.equal(
      8 + 256,
    );
    expect(oobeConfigOf(parseProfileSettings({ mode: "self-deploying", language: "en-US", oobe: { skipKeyboardSelection: true } }))).to.equal(
      2 + 4 + 8 + 16 + 32 + 64 + 256 + 1024,
    );
  });

  it("serves a registered device the profile of its group tag, with its registration filled in", async () => {
    await createProfile(t.directory, t.tenant, { name: "Kiosks", settings: { mode: "self-deploying", deviceNameTemplate: "KIOSK-%RAND:4%" }, assignTo: { groupTag: "Kiosk" } }, t.clock);
    const kiosk = await register(1, "Kiosk");
    const file = await deviceProfile(t.directory, { hardwareHash: kiosk.hardwareHash });
    expect(parseAutopilotConfigurationFile(file)).to.deep.equal(file);
    expect(file).to.include({
      CloudAssignedTenantId: t.tenant.id,
      CloudAssignedTenantDomain: "contoso.example",
      CloudAssignedDomainJoinMethod: 0,
      CloudAssignedDeploymentMode: "self-deploying",
      CloudAssignedPreProvisioningAllowed: 0,
      CloudAssignedDeviceName: "KIOSK-%RAND:4%",
      ZtdRegistrationId: kiosk.id,
      CloudAssignedGroupTag: "Kiosk",
      DeploymentProfileName: "Kiosks",
    });
    expect(JSON.parse(file.CloudAssignedAadServerData)).to.deep.equal({
      ZeroTouchConfig: { CloudAssignedTenantUpn: "", ForcedEnrollment: 1, CloudAssignedTenantDomain: "contoso.example" },
    });
  });

  it("answers an unregistered device and an unassigned one with their own codes", async () => {
    expect(await codeOf(deviceProfile(t.directory, { hardwareHash: hardwareHashOf(1) }))).to.equal("DEVICE_NOT_REGISTERED");
    await createProfile(t.directory, t.tenant, { name: "Sales", settings: { mode: "user-driven" }, assignTo: { groupTag: "Sales" } }, t.clock);
    const untagged = await register(2);
    expect(await codeOf(deviceProfile(t.directory, { hardwareHash: untagged.hardwareHash }))).to.equal("DEVICE_PROFILE_NOT_ASSIGNED");
    await t.directory.updateDevice(t.tenant, untagged.id, { groupTag: "Sales" });
    expect((await deviceProfile(t.directory, { hardwareHash: untagged.hardwareHash })).DeploymentProfileName).to.equal("Sales");
  });

  it("gives a device in several assigned groups the profile created first, whatever the order of assignment", async () => {
    const device = await register(3, "Lab");
    const pilot = await t.directory.createGroup(t.tenant, { name: "Pilot" });
    await t.directory.addStaticMember(pilot.id, device.id);
    const parked = await t.directory.createGroup(t.tenant, { name: "Nobody" });
    const oldest = await createProfile(t.directory, t.tenant, { name: "Everyone", settings: { mode: "user-driven" }, assignTo: { groupIds: [parked.id] } }, t.clock);
    t.clock.advance(60_000);
    await createProfile(t.directory, t.tenant, { name: "Lab", settings: { mode: "self-deploying" }, assignTo: { groupTag: "Lab" } }, t.clock);
    t.clock.advance(60_000);
    await createProfile(t.directory, t.tenant, { name: "Pilot", settings: { mode: "user-driven" }, assignTo: { groupIds: [pilot.id] } }, t.clock);
    expect((await resolveDeviceProfile(t.directory, device))?.profile.name).to.equal("Lab");
    t.clock.advance(60_000);
    await assignProfile(t.directory, t.tenant, oldest.profile.id, pilot.id, t.clock);
    expect((await resolveDeviceProfile(t.directory, device))?.profile.id).to.equal(oldest.profile.id);
    expect((await listProfiles(t.directory, t.tenant)).map((view) => view.profile.name)).to.deep.equal(["Everyone", "Lab", "Pilot"]);
    expect((await deviceProfile(t.directory, { hardwareHash: device.hardwareHash })).DeploymentProfileName).to.equal("Everyone");
  });

  it("refuses duplicate names, invalid settings and unknown groups, leaving nothing behind", async () => {
    await createProfile(t.directory, t.tenant, { name: "A", settings: { mode: "user-driven" } }, t.clock);
    expect(await codeOf(createProfile(t.directory, t.tenant, { name: "A", settings: { mode: "user-driven" } }, t.clock))).to.equal("PROFILE_EXISTS");
    expect(await codeOf(createProfile(t.directory, t.tenant, { name: "B", settings: { mode: "self-deploying", join: "hybrid" } }, t.clock))).to.equal(
      "PROFILE_INVALID",
    );
    expect(
      await codeOf(createProfile(t.directory, t.tenant, { name: "C", settings: { mode: "user-driven" }, assignTo: { groupIds: ["nope"] } }, t.clock)),
    ).to.equal("NOT_FOUND");
    expect((await listProfiles(t.directory, t.tenant)).map((view) => view.profile.name)).to.deep.equal(["A"]);
  });

  it("exports the offline file: ASCII, without any device's registration", async () => {
    const { profile } = await createProfile(
      t.directory,
      t.tenant,
      { name: "Hybrid", settings: { mode: "user-driven", join: "hybrid", language: "de-DE" }, assignTo: { allDevices: true } },
      t.clock,
    );
    const text = await exportOfflineProfile(t.directory, t.tenant, profile.id);
    const file = parseAutopilotConfigurationFile(Buffer.from(text, "latin1"));
    expect(file).to.include({ CloudAssignedDomainJoinMethod: 1, CloudAssignedLanguage: "de-DE", ZtdCorrelationId: profile.id, Comment_File: "Profile Hybrid" });
    expect(file).to.not.have.property("ZtdRegistrationId");
    expect(await codeOf(exportOfflineProfile(t.directory, t.tenant, "missing"))).to.equal("NOT_FOUND");
  });
});
