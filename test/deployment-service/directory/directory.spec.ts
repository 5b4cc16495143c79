import { expect } from "chai";
import { devicePhysicalIds } from "../../../deployment-service/directory/directory.js";
import { ProtocolError } from "../../../protocol/index.js";
import { fakeHardwareHash, openTestDirectory, type TestDirectory } from "../support/directory.js";

async function rejection(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error("expected a ProtocolError");
}

describe("deployment-service/directory/directory", () => {
  let t: TestDirectory;
  beforeEach(async () => {
    t = await openTestDirectory();
  });
  afterEach(async () => t.close());

  it("creates the default tenant once, with a GUID id", async () => {
    expect(t.tenant.domain).to.equal("contoso.example");
    expect(t.tenant.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await t.directory.ensureTenant("Contoso.Example")).to.deep.equal(t.tenant);
    expect((await rejection(t.directory.ensureTenant("not a domain"))).code).to.equal("MALFORMED_REQUEST");
  });

  it("keeps users with salted password hashes and checks their passwords", async () => {
    const user = await t.directory.createUser(t.tenant, { upn: "Ada@Contoso.example", password: "correct horse" });
    expect(user.upn).to.equal("ada@contoso.example");
    expect(user.passwordHash).to.match(/^scrypt\$\d+\$8\$1\$/).and.not.contain("correct horse");
    const other = await t.directory.createUser(t.tenant, { upn: "bob@contoso.example", password: "correct horse" });
    expect(other.passwordHash).to.not.equal(user.passwordHash);
    expect((await t.directory.authenticateUser("ADA@contoso.example", "correct horse"))?.id).to.equal(user.id);
    expect(await t.directory.authenticateUser("ada@contoso.example", "wrong horse")).to.equal(undefined);
    expect(await t.directory.authenticateUser("eve@contoso.example", "correct horse")).to.equal(undefined);
    expect((await rejection(t.directory.createUser(t.tenant, { upn: "ada@contoso.example", password: "another one" }))).code).to.equal("USER_EXISTS");
    expect((await rejection(t.directory.createUser(t.tenant, { upn: "eve@fabrikam.example", password: "long enough" }))).code).to.equal(
      "USER_DOMAIN_UNKNOWN",
    );
    expect((await rejection(t.directory.createUser(t.tenant, { upn: "eve", password: "long enough" }))).code).to.equal("USER_INVALID");
    expect((await rejection(t.directory.createUser(t.tenant, { upn: "eve@contoso.example", password: "short" }))).code).to.equal("USER_INVALID");
  });

  it("gives a registered device its [ZTDID], [OrderID] and [PurchaseOrderId] physical ids", async () => {
    const device = await t.directory.registerDevice(t.tenant, {
      serialNumber: "SN-1",
      hardwareHash: fakeHardwareHash(1),
      groupTag: "Sales",
      purchaseOrderId: "76222342342",
      registeredBy: "csv",
    });
    expect(devicePhysicalIds(device)).to.deep.equal([`[ZTDID]:${device.id}`, "[OrderID]:Sales", "[PurchaseOrderId]:76222342342"]);
    const bare = await t.directory.registerDevice(t.tenant, { serialNumber: "SN-2", hardwareHash: fakeHardwareHash(2), registeredBy: "csv" });
    expect(devicePhysicalIds(bare)).to.deep.equal([`[ZTDID]:${bare.id}`]);
  });

  it("refuses a second registration of the same hash (in any tenant) or serial number (in the tenant), and a user of another domain", async () => {
    await t.directory.registerDevice(t.tenant, { serialNumber: "SN-1", hardwareHash: fakeHardwareHash(1), registeredBy: "csv" });
    const sameHash = t.directory.registerDevice(t.tenant, { serialNumber: "SN-9", hardwareHash: fakeHardwareHash(1), registeredBy: "csv" });
    expect((await rejection(sameHash)).code).to.equal("DEVICE_ALREADY_REGISTERED");
    const sameSerial = t.directory.registerDevice(t.tenant, { serialNumber: "SN-1", hardwareHash: fakeHardwareHash(9), registeredBy: "csv" });
    expect((await rejection(sameSerial)).code).to.equal("DEVICE_ALREADY_REGISTERED");
    const foreignUser = t.directory.registerDevice(t.tenant, {
      serialNumber: "SN-3",
      hardwareHash: fakeHardwareHash(3),
      assignedUser: "ada@fabrikam.example",
      registeredBy: "csv",
    });
    expect((await rejection(foreignUser)).code).to.equal("USER_DOMAIN_UNKNOWN");
    expect(await t.directory.store.listDevices(t.tenant.id)).to.have.length(1);
    const otherTenant = await t.directory.ensureTenant("fabrikam.example");
    const elsewhere = t.directory.registerDevice(otherTenant, { serialNumber: "SN-1", hardwareHash: fakeHardwareHash(1), registeredBy: "csv" });
    expect((await rejection(elsewhere)).message).to.contain("another tenant");
    await t.directory.registerDevice(otherTenant, { serialNumber: "SN-1", hardwareHash: fakeHardwareHash(4), registeredBy: "csv" });
  });

  it("computes dynamic memberships for devices already there and for devices registered, re-tagged or removed later", async () => {
    const d1 = await t.directory.registerDevice(t.tenant, { serialNumber: "SN-1", hardwareHash: fakeHardwareHash(1), groupTag: "Sales", registeredBy: "csv" });
    const all = await t.directory.createGroup(t.tenant, { name: "All Autopilot devices", rule: `(device.devicePhysicalIDs -any (_ -contains "[ZTDID]"))` });
    const sales = await t.directory.createGroup(t.tenant, { name: "Sales", rule: `(device.devicePhysicalIds -any (_ -eq "[OrderID]:Sales"))` });
    const pilot = await t.directory.createGroup(t.tenant, { name: "Pilot" });
    expect([all.kind, pilot.kind]).to.deep.equal(["dynamic", "static"]);
    const store = t.directory.store;
    expect(await store.groupMembers(all.id)).to.deep.equal([d1.id]);
    expect(await store.groupMembers(sales.id)).to.deep.equal([d1.id]);

    const d2 = await t.directory.registerDevice(t.tenant, { serialNumber: "SN-2", hardwareHash: fakeHardwareHash(2), registeredBy: "csv" });
    expect(await store.groupsOfDevice(d2.id)).to.deep.equal([all.id]);

    await t.directory.addStaticMember(pilot.id, d1.id);
    await t.directory.updateDevice(t.tenant, d1.id, { groupTag: "Finance" });
    expect((await store.groupsOfDevice(d1.id)).sort()).to.deep.equal([all.id, pilot.id].sort());
    await t.directory.updateDevice(t.tenant, d2.id, { groupTag: "sales" });
    expect(await store.groupMembers(sales.id)).to.deep.equal([d2.id]);

    expect(await t.directory.removeDevice(t.tenant, d2.id)).to.equal(true);
    expect(await t.directory.removeDevice(t.tenant, d2.id)).to.equal(false);
    expect(await store.groupMembers(sales.id)).to.deep.equal([]);
    expect((await rejection(t.directory.addStaticMember(all.id, d1.id))).code).to.equal("MALFORMED_REQUEST");
  });

  it("refuses a group whose rule does not parse, and a second group of the same name", async () => {
    const bad = await rejection(t.directory.createGroup(t.tenant, { name: "Broken", rule: `device.devicePhysicalIds -eq "x"` }));
    expect(bad.code).to.equal("MEMBERSHIP_RULE_INVALID");
    expect(bad.message).to.contain("use -any or -all");
    await t.directory.createGroup(t.tenant, { name: "Pilot" });
    expect((await rejection(t.directory.createGroup(t.tenant, { name: "Pilot" }))).code).to.equal("GROUP_EXISTS");
    expect(await t.directory.store.findGroupByName(t.tenant.id, "Broken")).to.equal(undefined);
  });
});
