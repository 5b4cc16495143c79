import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  openDeploymentStore,
  type DeploymentStore,
  type DeviceRecord,
  type TenantRecord,
} from "../../../deployment-service/store/deployment-store.js";
import { createTestSchema, type TestSchema } from "../../attestation-service/support/postgres.js";

const NOW = Date.UTC(2026, 2, 1);

function device(tenant: TenantRecord, n: number, overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: randomUUID(),
    tenantId: tenant.id,
    serialNumber: `SN-${n}`,
    productId: "",
    hardwareHash: Buffer.from(`hash ${n}`).toString("base64"),
    hashDigest: `digest-${n}`,
    groupTag: "",
    purchaseOrderId: "",
    assignedUser: "",
    manufacturer: "Contoso",
    model: "Laptop 1",
    registeredBy: "csv",
    registeredAt: NOW + n,
    ...overrides,
  };
}

function storeBehaviour(open: () => Promise<DeploymentStore>): void {
  let store: DeploymentStore;
  let tenant: TenantRecord;
  before(async () => {
    store = await open();
    tenant = { id: randomUUID(), domain: `t${randomUUID().slice(0, 8)}.example`, createdAt: NOW };
    await store.insertTenant(tenant);
  });
  after(async () => store?.close());

  it("finds a tenant by id and domain and refuses a second tenant of the same domain", async () => {
    expect(await store.findTenantByDomain(tenant.domain)).to.deep.equal(tenant);
    expect(await store.findTenant(tenant.id)).to.deep.equal(tenant);
    let failed = false;
    await store.insertTenant({ ...tenant, id: randomUUID() }).catch(() => (failed = true));
    expect(failed).to.equal(true);
  });

  it("stores devices, finds them by hash digest and serial, and keeps both unique per tenant", async () => {
    const first = device(tenant, 1, { groupTag: "Sales" });
    await store.insertDevice(first);
    expect(await store.findDeviceByHashDigest(tenant.id, first.hashDigest)).to.deep.equal(first);
    expect(await store.findDeviceBySerial(tenant.id, "SN-1")).to.deep.equal(first);
    expect(await store.findDevicesByHashDigest(first.hashDigest)).to.deep.equal([first]);
    for (const clash of [device(tenant, 2, { hashDigest: first.hashDigest }), device(tenant, 3, { serialNumber: "SN-1" })]) {
      let failed = false;
      await store.insertDevice(clash).catch(() => (failed = true));
      expect(failed).to.equal(true);
    }
    expect(await store.updateDevice(first.id, { groupTag: "Finance", assignedUser: "ada@x.example" })).to.equal(true);
    expect(await store.findDevice(first.id)).to.include({ groupTag: "Finance", assignedUser: "ada@x.example", purchaseOrderId: "" });
    expect(await store.updateDevice(randomUUID(), { groupTag: "x" })).to.equal(false);
  });

  it("keeps group members, answers groups of a device, and drops memberships with the device", async () => {
    const group = { id: randomUUID(), tenantId: tenant.id, name: "All Autopilot", kind: "dynamic" as const, rule: "(x)", createdAt: NOW };
    const manual = { id: randomUUID(), tenantId: tenant.id, name: "Pilot", kind: "static" as const, rule: undefined, createdAt: NOW + 1 };
    await store.insertGroup(group);
    await store.insertGroup(manual);
    const a = device(tenant, 10);
    const b = device(tenant, 11);
    await store.insertDevice(a);
    await store.insertDevice(b);
    await store.setGroupMembers(group.id, [a.id, b.id, a.id]);
    await store.addGroupMember(manual.id, a.id);
    await store.addGroupMember(manual.id, a.id);
    expect(await store.groupMembers(group.id)).to.deep.equal([a.id, b.id].sort());
    expect(await store.groupsOfDevice(a.id)).to.deep.equal([group.id, manual.id].sort());
    expect((await store.listGroups(tenant.id, "static")).map((g) => g.name)).to.deep.equal(["Pilot"]);
    expect(await store.findGroupByName(tenant.id, "All Autopilot")).to.deep.equal(group);
    expect(await store.deleteDevice(a.id)).to.equal(true);
    expect(await store.groupMembers(group.id)).to.deep.equal([b.id]);
    expect(await store.groupsOfDevice(a.id)).to.deep.equal([]);
    expect(await store.removeGroupMember(group.id, b.id)).to.equal(true);
    expect(await store.deleteGroup(manual.id)).to.equal(true);
    expect(await store.findGroup(manual.id)).to.equal(undefined);
  });

  it("rolls back every write of a failed transaction", async () => {
    const d = device(tenant, 20);
    const failure = new Error("abort");
    let caught: unknown;
    await store
      .transaction(async (trx) => {
        await trx.insertDevice(d);
        expect(await trx.findDevice(d.id)).to.deep.equal(d);
        throw failure;
      })
      .catch((error: unknown) => (caught = error));
    expect(caught).to.equal(failure);
    expect(await store.findDevice(d.id)).to.equal(undefined);
  });

  it("records partner consent once and forgets it when revoked", async () => {
    await store.grantConsent({ tenantId: tenant.id, partnerId: "oem-1", grantedAt: NOW });
    await store.grantConsent({ tenantId: tenant.id, partnerId: "oem-1", grantedAt: NOW + 5 });
    expect(await store.findConsent(tenant.id, "oem-1")).to.deep.equal({ tenantId: tenant.id, partnerId: "oem-1", grantedAt: NOW });
    expect(await store.listConsents(tenant.id)).to.have.length(1);
    expect(await store.revokeConsent(tenant.id, "oem-1")).to.equal(true);
    expect(await store.revokeConsent(tenant.id, "oem-1")).to.equal(false);
    expect(await store.findConsent(tenant.id, "oem-1")).to.equal(undefined);
  });

  it("lists profiles oldest first, their assignments, and drops assignments with the profile", async () => {
    const group = { id: randomUUID(), tenantId: tenant.id, name: "Targets", kind: "static" as const, rule: undefined, createdAt: NOW };
    await store.insertGroup(group);
    const newer = { id: randomUUID(), tenantId: tenant.id, name: "B", settings: "{}", createdAt: NOW + 10 };
    const older = { id: randomUUID(), tenantId: tenant.id, name: "A", settings: '{"mode":"self-deploying"}', createdAt: NOW };
    await store.insertProfile(newer);
    await store.insertProfile(older);
    expect((await store.listProfiles(tenant.id)).map((p) => p.name)).to.deep.equal(["A", "B"]);
    expect(await store.findProfileByName(tenant.id, "A")).to.deep.equal(older);
    await store.assignProfile({ profileId: newer.id, groupId: group.id, assignedAt: NOW + 20 });
    await store.assignProfile({ profileId: older.id, groupId: group.id, assignedAt: NOW + 30 });
    expect(await store.listAssignments(tenant.id)).to.deep.equal([
      { profileId: newer.id, groupId: group.id, assignedAt: NOW + 20 },
      { profileId: older.id, groupId: group.id, assignedAt: NOW + 30 },
    ]);
    expect(await store.deleteProfile(newer.id)).to.equal(true);
    expect((await store.listAssignments(tenant.id)).map((a) => a.profileId)).to.deep.equal([older.id]);
    expect(await store.unassignProfile(older.id, group.id)).to.equal(true);
  });
}

describe("deployment-service/store", () => {
  describe("on SQLite", () => {
    let home: string;
    before(async () => {
      home = await mkdtemp(path.join(os.tmpdir(), "apsim-deploy-store-"));
    });
    after(async () => rm(home, { recursive: true, force: true }));
    storeBehaviour(() => openDeploymentStore({ home }));

    it("keeps its database in <home>/deployment.sqlite, reopened without migrating twice", async () => {
      const again = await openDeploymentStore({ home });
      expect((await stat(path.join(home, "deployment.sqlite"))).isFile()).to.equal(true);
      await again.close();
    });
  });

  describe("on PostgreSQL", function () {
    let schema: TestSchema | undefined;
    before(async function () {
      schema = await createTestSchema(this);
    });
    after(async () => schema?.drop());
    storeBehaviour(() => openDeploymentStore({ home: os.tmpdir(), db: schema!.url }));
  });
});
