/**
 * The deployment service's query layer, one implementation for SQLite and PostgreSQL: tenants, users, groups and
 * their members, registered devices, partner consents, profiles and their assignments. Every write that spans
 * tables runs inside {@link DeploymentStore.transaction}.
 */
import type { Kysely, Transaction } from "kysely";
import { openDatabase, parseDatabaseLocation, type DatabaseKind } from "../../lib/index.js";
import { deploymentMigrations, type MigrationSet } from "./migrations.js";
import type { DeploymentDatabase, DevicesTable } from "./schema.js";

/** File name of the SQLite database under the home directory. */
export const DEFAULT_SQLITE_FILE = "deployment.sqlite";
/** The migrator's bookkeeping table (services may share one PostgreSQL database). */
export const MIGRATION_TABLE = "deployment_migrations";

export interface TenantRecord {
  readonly id: string;
  readonly domain: string;
  readonly createdAt: number;
}

export interface UserRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly upn: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export type GroupKind = "static" | "dynamic";

export interface GroupRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly kind: GroupKind;
  /** Membership rule of a dynamic group. */
  readonly rule: string | undefined;
  readonly createdAt: number;
}

export interface DeviceRecord {
  /** ZTDID. */
  readonly id: string;
  readonly tenantId: string;
  readonly serialNumber: string;
  readonly productId: string;
  readonly hardwareHash: string;
  readonly hashDigest: string;
  readonly groupTag: string;
  readonly purchaseOrderId: string;
  readonly assignedUser: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly registeredBy: string;
  readonly registeredAt: number;
}

/** What may change on a registered device. */
export type DeviceUpdate = Partial<Pick<DeviceRecord, "groupTag" | "purchaseOrderId" | "assignedUser">>;

export interface PartnerConsentRecord {
  readonly tenantId: string;
  readonly partnerId: string;
  readonly grantedAt: number;
}

export interface ProfileRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  /** JSON of the profile's settings. */
  readonly settings: string;
  readonly createdAt: number;
}

export interface ProfileAssignmentRecord {
  readonly profileId: string;
  readonly groupId: string;
  readonly assignedAt: number;
}

/** The service's persistent state. */
export interface DeploymentStore {
  readonly kind: DatabaseKind;
  /** The Kysely handle, for parts of the service that bring their own tables (MDM). */
  readonly db: Kysely<DeploymentDatabase> | Transaction<DeploymentDatabase>;
  /** Runs `work` in one transaction (joins the current one when already inside). */
  transaction<T>(work: (store: DeploymentStore) => Promise<T>): Promise<T>;

  insertTenant(tenant: TenantRecord): Promise<void>;
  findTenantByDomain(domain: string): Promise<TenantRecord | undefined>;
  findTenant(id: string): Promise<TenantRecord | undefined>;

  insertUser(user: UserRecord): Promise<void>;
  findUserByUpn(upn: string): Promise<UserRecord | undefined>;
  listUsers(tenantId: string): Promise<UserRecord[]>;

  insertGroup(group: GroupRecord): Promise<void>;
  findGroup(id: string): Promise<GroupRecord | undefined>;
  findGroupByName(tenantId: string, name: string): Promise<GroupRecord | undefined>;
  listGroups(tenantId: string, kind?: GroupKind): Promise<GroupRecord[]>;
  deleteGroup(id: string): Promise<boolean>;
  addGroupMember(groupId: string, deviceId: string): Promise<void>;
  removeGroupMember(groupId: string, deviceId: string): Promise<boolean>;
  /** Replaces a group's whole member list. */
  setGroupMembers(groupId: string, deviceIds: readonly string[]): Promise<void>;
  groupMembers(groupId: string): Promise<string[]>;
  /** Ids of the groups a device is a member of. */
  groupsOfDevice(deviceId: string): Promise<string[]>;

  insertDevice(device: DeviceRecord): Promise<void>;
  findDevice(id: string): Promise<DeviceRecord | undefined>;
  findDeviceByHashDigest(tenantId: string, hashDigest: string): Promise<DeviceRecord | undefined>;
  findDeviceBySerial(tenantId: string, serialNumber: string): Promise<DeviceRecord | undefined>;
  /** Any tenant's device with this hash digest (a device belongs to one tenant at a time). */
  findDevicesByHashDigest(hashDigest: string): Promise<DeviceRecord[]>;
  listDevices(tenantId: string): Promise<DeviceRecord[]>;
  updateDevice(id: string, update: DeviceUpdate): Promise<boolean>;
  /** Deletes a device and its group memberships. */
  deleteDevice(id: string): Promise<boolean>;

  grantConsent(consent: PartnerConsentRecord): Promise<void>;
  revokeConsent(tenantId: string, partnerId: string): Promise<boolean>;
  findConsent(tenantId: string, partnerId: string): Promise<PartnerConsentRecord | undefined>;
  listConsents(tenantId: string): Promise<PartnerConsentRecord[]>;

  insertProfile(profile: ProfileRecord): Promise<void>;
  findProfile(id: string): Promise<ProfileRecord | undefined>;
  findProfileByName(tenantId: string, name: string): Promise<ProfileRecord | undefined>;
  listProfiles(tenantId: string): Promise<ProfileRecord[]>;
  /** Deletes a profile and its assignments. */
  deleteProfile(id: string): Promise<boolean>;
  assignProfile(assignment: ProfileAssignmentRecord): Promise<void>;
  unassignProfile(profileId: string, groupId: string): Promise<boolean>;
  /** Assignments of the tenant's profiles. */
  listAssignments(tenantId: string): Promise<ProfileAssignmentRecord[]>;

  close(): Promise<void>;
}

type Executor = Kysely<DeploymentDatabase> | Transaction<DeploymentDatabase>;

const toNumber = (value: number | string): number => (typeof value === "number" ? value : Number(value));

function deviceFromRow(row: DevicesTable): DeviceRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    serialNumber: row.serial_number,
    productId: row.product_id,
    hardwareHash: row.hardware_hash,
    hashDigest: row.hash_digest,
    groupTag: row.group_tag,
    purchaseOrderId: row.purchase_order_id,
    assignedUser: row.assigned_user,
    manufacturer: row.manufacturer,
    model: row.model,
    registeredBy: row.registered_by,
    registeredAt: toNumber(row.registered_at),
  };
}

function groupFromRow(row: DeploymentDatabase["groups"]): GroupRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    kind: row.kind,
    rule: row.rule ?? undefined,
    createdAt: toNumber(row.created_at),
  };
}

function userFromRow(row: DeploymentDatabase["users"]): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    upn: row.upn,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    createdAt: toNumber(row.created_at),
  };
}

function profileFromRow(row: DeploymentDatabase["profiles"]): ProfileRecord {
  return { id: row.id, tenantId: row.tenant_id, name: row.name, settings: row.settings, createdAt: toNumber(row.created_at) };
}

function consentFromRow(row: DeploymentDatabase["partner_consents"]): PartnerConsentRecord {
  return { tenantId: row.tenant_id, partnerId: row.partner_id, grantedAt: toNumber(row.granted_at) };
}

class KyselyDeploymentStore implements DeploymentStore {
  constructor(
    readonly kind: DatabaseKind,
    readonly db: Executor,
    private readonly root: Kysely<DeploymentDatabase> | undefined,
  ) {}

  transaction<T>(work: (store: DeploymentStore) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new KyselyDeploymentStore(this.kind, trx, undefined)));
  }

  async insertTenant(tenant: TenantRecord): Promise<void> {
    await this.db.insertInto("tenants").values({ id: tenant.id, domain: tenant.domain, created_at: tenant.createdAt }).execute();
  }

  async findTenantByDomain(domain: string): Promise<TenantRecord | undefined> {
    const row = await this.db.selectFrom("tenants").selectAll().where("domain", "=", domain).executeTakeFirst();
    return row === undefined ? undefined : { id: row.id, domain: row.domain, createdAt: toNumber(row.created_at) };
  }

  async findTenant(id: string): Promise<TenantRecord | undefined> {
    const row = await this.db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : { id: row.id, domain: row.domain, createdAt: toNumber(row.created_at) };
  }

  async insertUser(user: UserRecord): Promise<void> {
    await this.db
      .insertInto("users")
      .values({
        id: user.id,
        tenant_id: user.tenantId,
        upn: user.upn,
        display_name: user.displayName,
        password_hash: user.passwordHash,
        created_at: user.createdAt,
      })
      .execute();
  }

  async findUserByUpn(upn: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom("users").selectAll().where("upn", "=", upn).executeTakeFirst();
    return row === undefined ? undefined : userFromRow(row);
  }

  async listUsers(tenantId: string): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId).orderBy("upn").execute();
    return rows.map(userFromRow);
  }

  async insertGroup(group: GroupRecord): Promise<void> {
    await this.db
      .insertInto("groups")
      .values({ id: group.id, tenant_id: group.tenantId, name: group.name, kind: group.kind, rule: group.rule ?? null, created_at: group.createdAt })
      .execute();
  }

  async findGroup(id: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : groupFromRow(row);
  }

  async findGroupByName(tenantId: string, name: string): Promise<GroupRecord | undefined> {
    const row = await this.db.selectFrom("groups").selectAll().where("tenant_id", "=", tenantId).where("name", "=", name).executeTakeFirst();
    return row === undefined ? undefined : groupFromRow(row);
  }

  async listGroups(tenantId: string, kind?: GroupKind): Promise<GroupRecord[]> {
    let query = this.db.selectFrom("groups").selectAll().where("tenant_id", "=", tenantId);
    if (kind !== undefined) query = query.where("kind", "=", kind);
    const rows = await query.orderBy("created_at").orderBy("id").execute();
    return rows.map(groupFromRow);
  }

  async deleteGroup(id: string): Promise<boolean> {
    return this.transaction(async (store) => {
      const db = (store as KyselyDeploymentStore).db;
      await db.deleteFrom("group_members").where("group_id", "=", id).execute();
      await db.deleteFrom("profile_assignments").where("group_id", "=", id).execute();
      const result = await db.deleteFrom("groups").where("id", "=", id).executeTakeFirst();
      return result.numDeletedRows === 1n;
    });
  }

  async addGroupMember(groupId: string, deviceId: string): Promise<void> {
    await this.db
      .insertInto("group_members")
      .values({ group_id: groupId, device_id: deviceId })
      .onConflict((conflict) => conflict.columns(["group_id", "device_id"]).doNothing())
      .execute();
  }

  async removeGroupMember(groupId: string, deviceId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("group_members").where("group_id", "=", groupId).where("device_id", "=", deviceId).executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async setGroupMembers(groupId: string, deviceIds: readonly string[]): Promise<void> {
    await this.transaction(async (store) => {
      const db = (store as KyselyDeploymentStore).db;
      await db.deleteFrom("group_members").where("group_id", "=", groupId).execute();
      const unique = [...new Set(deviceIds)];
      // Chunks keep each statement under SQLite's bound-parameter limit.
      for (let i = 0; i < unique.length; i += 400) {
        await db
          .insertInto("group_members")
          .values(unique.slice(i, i + 400).map((deviceId) => ({ group_id: groupId, device_id: deviceId })))
          .execute();
      }
    });
  }

  async groupMembers(groupId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("group_members").select("device_id").where("group_id", "=", groupId).orderBy("device_id").execute();
    return rows.map((row) => row.device_id);
  }

  async groupsOfDevice(deviceId: string): Promise<string[]> {
    const rows = await this.db.selectFrom("group_members").select("group_id").where("device_id", "=", deviceId).orderBy("group_id").execute();
    return rows.map((row) => row.group_id);
  }

  async insertDevice(device: DeviceRecord): Promise<void> {
    await this.db
      .insertInto("devices")
      .values({
        id: device.id,
        tenant_id: device.tenantId,
        serial_number: device.serialNumber,
        product_id: device.productId,
        hardware_hash: device.hardwareHash,
        hash_digest: device.hashDigest,
        group_tag: device.groupTag,
        purchase_order_id: device.purchaseOrderId,
        assigned_user: device.assignedUser,
        manufacturer: device.manufacturer,
        model: device.model,
        registered_by: device.registeredBy,
        registered_at: device.registeredAt,
      })
      .execute();
  }

  async findDevice(id: string): Promise<DeviceRecord | undefined> {
    const row = await this.db.selectFrom("devices").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : deviceFromRow(row);
  }

  async findDeviceByHashDigest(tenantId: string, hashDigest: string): Promise<DeviceRecord | undefined> {
    const row = await this.db
      .selectFrom("devices")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("hash_digest", "=", hashDigest)
      .executeTakeFirst();
    return row === undefined ? undefined : deviceFromRow(row);
  }

  async findDeviceBySerial(tenantId: string, serialNumber: string): Promise<DeviceRecord | undefined> {
    const row = await this.db
      .selectFrom("devices")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("serial_number", "=", serialNumber)
      .executeTakeFirst();
    return row === undefined ? undefined : deviceFromRow(row);
  }

  async findDevicesByHashDigest(hashDigest: string): Promise<DeviceRecord[]> {
    const rows = await this.db.selectFrom("devices").selectAll().where("hash_digest", "=", hashDigest).execute();
    return rows.map(deviceFromRow);
  }

  async listDevices(tenantId: string): Promise<DeviceRecord[]> {
    const rows = await this.db.selectFrom("devices").selectAll().where("tenant_id", "=", tenantId).orderBy("serial_number").execute();
    return rows.map(deviceFromRow);
  }

  async updateDevice(id: string, update: DeviceUpdate): Promise<boolean> {
    const values = {
      ...(update.groupTag === undefined ? {} : { group_tag: update.groupTag }),
      ...(update.purchaseOrderId === undefined ? {} : { purchase_order_id: update.purchaseOrderId }),
      ...(update.assignedUser === undefined ? {} : { assigned_user: update.assignedUser }),
    };
    if (Object.keys(values).length === 0) return (await this.findDevice(id)) !== undefined;
    const result = await this.db.updateTable("devices").set(values).where("id", "=", id).executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async deleteDevice(id: string): Promise<boolean> {
    return this.transaction(async (store) => {
      const db = (store as KyselyDeploymentStore).db;
      await db.deleteFrom("group_members").where("device_id", "=", id).execute();
      const result = await db.deleteFrom("devices").where("id", "=", id).executeTakeFirst();
      return result.numDeletedRows === 1n;
    });
  }

  async grantConsent(consent: PartnerConsentRecord): Promise<void> {
    await this.db
      .insertInto("partner_consents")
      .values({ tenant_id: consent.tenantId, partner_id: consent.partnerId, granted_at: consent.grantedAt })
      .onConflict((conflict) => conflict.columns(["tenant_id", "partner_id"]).doNothing())
      .execute();
  }

  async revokeConsent(tenantId: string, partnerId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("partner_consents")
      .where("tenant_id", "=", tenantId)
      .where("partner_id", "=", partnerId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async findConsent(tenantId: string, partnerId: string): Promise<PartnerConsentRecord | undefined> {
    const row = await this.db
      .selectFrom("partner_consents")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .where("partner_id", "=", partnerId)
      .executeTakeFirst();
    return row === undefined ? undefined : consentFromRow(row);
  }

  async listConsents(tenantId: string): Promise<PartnerConsentRecord[]> {
    const rows = await this.db.selectFrom("partner_consents").selectAll().where("tenant_id", "=", tenantId).orderBy("partner_id").execute();
    return rows.map(consentFromRow);
  }

  async insertProfile(profile: ProfileRecord): Promise<void> {
    await this.db
      .insertInto("profiles")
      .values({ id: profile.id, tenant_id: profile.tenantId, name: profile.name, settings: profile.settings, created_at: profile.createdAt })
      .execute();
  }

  async findProfile(id: string): Promise<ProfileRecord | undefined> {
    const row = await this.db.selectFrom("profiles").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : profileFromRow(row);
  }

  async findProfileByName(tenantId: string, name: string): Promise<ProfileRecord | undefined> {
    const row = await this.db.selectFrom("profiles").selectAll().where("tenant_id", "=", tenantId).where("name", "=", name).executeTakeFirst();
    return row === undefined ? undefined : profileFromRow(row);
  }

  async listProfiles(tenantId: string): Promise<ProfileRecord[]> {
    const rows = await this.db.selectFrom("profiles").selectAll().where("tenant_id", "=", tenantId).orderBy("created_at").orderBy("id").execute();
    return rows.map(profileFromRow);
  }

  async deleteProfile(id: string): Promise<boolean> {
    return this.transaction(async (store) => {
      const db = (store as KyselyDeploymentStore).db;
      await db.deleteFrom("profile_assignments").where("profile_id", "=", id).execute();
      const result = await db.deleteFrom("profiles").where("id", "=", id).executeTakeFirst();
      return result.numDeletedRows === 1n;
    });
  }

  async assignProfile(assignment: ProfileAssignmentRecord): Promise<void> {
    await this.db
      .insertInto("profile_assignments")
      .values({ profile_id: assignment.profileId, group_id: assignment.groupId, assigned_at: assignment.assignedAt })
      .onConflict((conflict) => conflict.columns(["profile_id", "group_id"]).doNothing())
      .execute();
  }

  async unassignProfile(profileId: string, groupId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("profile_assignments")
      .where("profile_id", "=", profileId)
      .where("group_id", "=", groupId)
      .executeTakeFirst();
    return result.numDeletedRows === 1n;
  }

  async listAssignments(tenantId: string): Promise<ProfileAssignmentRecord[]> {
    const rows = await this.db
      .selectFrom("profile_assignments")
      .innerJoin("profiles", "profiles.id", "profile_assignments.profile_id")
      .select(["profile_assignments.profile_id", "profile_assignments.group_id", "profile_assignments.assigned_at"])
      .where("profiles.tenant_id", "=", tenantId)
      .orderBy("profile_assignments.assigned_at")
      .execute();
    return rows.map((row) => ({ profileId: row.profile_id, groupId: row.group_id, assignedAt: toNumber(row.assigned_at) }));
  }

  async close(): Promise<void> {
    await this.root?.destroy();
  }
}

/** Options of {@link openDeploymentStore}. */
export interface DeploymentStoreOptions {
  readonly home: string;
  /** `postgres://…`, `sqlite:PATH`, `:memory:` or a path; default `<home>/deployment.sqlite`. */
  readonly db?: string | undefined;
  /** Migrations of other parts of the service, merged by name. */
  readonly extraMigrations?: readonly MigrationSet[];
}

/** Opens the deployment store named by the service's `db` option and migrates its schema. */
export async function openDeploymentStore(options: DeploymentStoreOptions): Promise<DeploymentStore> {
  const { kind, db } = await openDatabase<DeploymentDatabase>(parseDatabaseLocation(options.db, options.home, DEFAULT_SQLITE_FILE), {
    migrations: (engine) => deploymentMigrations(engine, options.extraMigrations),
    migrationTableName: MIGRATION_TABLE,
  });
  return new KyselyDeploymentStore(kind, db, db);
}
