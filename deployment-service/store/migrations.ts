/**
 * Schema migrations of the directory and Autopilot tables, in code (Kysely Migrator). Each migration is written
 * once and never edited; later changes are new entries. Other parts of the service (MDM) bring their own
 * migrations, merged in by name.
 */
import type { Kysely, Migration, MigrationProvider } from "kysely";
import type { DatabaseKind } from "../../lib/index.js";

const createDirectory: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("tenants")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("domain", "text", (column) => column.notNull().unique())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("users")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("tenant_id", "text", (column) => column.notNull().references("tenants.id"))
      .addColumn("upn", "text", (column) => column.notNull().unique())
      .addColumn("display_name", "text", (column) => column.notNull())
      .addColumn("password_hash", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("groups")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("tenant_id", "text", (column) => column.notNull().references("tenants.id"))
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("kind", "text", (column) => column.notNull())
      .addColumn("rule", "text")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addUniqueConstraint("groups_tenant_name", ["tenant_id", "name"])
      .execute();
    await db.schema
      .createTable("devices")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("tenant_id", "text", (column) => column.notNull().references("tenants.id"))
      .addColumn("serial_number", "text", (column) => column.notNull())
      .addColumn("product_id", "text", (column) => column.notNull())
      .addColumn("hardware_hash", "text", (column) => column.notNull())
      .addColumn("hash_digest", "text", (column) => column.notNull())
      .addColumn("group_tag", "text", (column) => column.notNull())
      .addColumn("purchase_order_id", "text", (column) => column.notNull())
      .addColumn("assigned_user", "text", (column) => column.notNull())
      .addColumn("manufacturer", "text", (column) => column.notNull())
      .addColumn("model", "text", (column) => column.notNull())
      .addColumn("registered_by", "text", (column) => column.notNull())
      .addColumn("registered_at", "bigint", (column) => column.notNull())
      .addUniqueConstraint("devices_tenant_hash", ["tenant_id", "hash_digest"])
      .addUniqueConstraint("devices_tenant_serial", ["tenant_id", "serial_number"])
      .execute();
    await db.schema
      .createTable("group_members")
      .addColumn("group_id", "text", (column) => column.notNull().references("groups.id").onDelete("cascade"))
      .addColumn("device_id", "text", (column) => column.notNull().references("devices.id").onDelete("cascade"))
      .addPrimaryKeyConstraint("group_members_pk", ["group_id", "device_id"])
      .execute();
    await db.schema.createIndex("group_members_device").on("group_members").column("device_id").execute();
    await db.schema
      .createTable("partner_consents")
      .addColumn("tenant_id", "text", (column) => column.notNull().references("tenants.id"))
      .addColumn("partner_id", "text", (column) => column.notNull())
      .addColumn("granted_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("partner_consents_pk", ["tenant_id", "partner_id"])
      .execute();
    await db.schema
      .createTable("profiles")
      .addColumn("id", "text", (column) => column.primaryKey())
      .addColumn("tenant_id", "text", (column) => column.notNull().references("tenants.id"))
      .addColumn("name", "text", (column) => column.notNull())
      .addColumn("settings", "text", (column) => column.notNull())
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .addUniqueConstraint("profiles_tenant_name", ["tenant_id", "name"])
      .execute();
    await db.schema
      .createTable("profile_assignments")
      .addColumn("profile_id", "text", (column) => column.notNull().references("profiles.id").onDelete("cascade"))
      .addColumn("group_id", "text", (column) => column.notNull().references("groups.id").onDelete("cascade"))
      .addColumn("assigned_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("profile_assignments_pk", ["profile_id", "group_id"])
      .execute();
  },
};

/** Extra migrations by name, per engine (another part of the service's tables). */
export type MigrationSet = (kind: DatabaseKind) => Readonly<Record<string, Migration>>;

/**
 * The service's migrations for a database of `kind`, by name (names sort in order of application), with
 * `extra` merged in; a name clash is a programming error.
 */
export function deploymentMigrations(kind: DatabaseKind, extra: readonly MigrationSet[] = []): MigrationProvider {
  const migrations: Record<string, Migration> = { "0001_directory": createDirectory };
  for (const set of extra) {
    for (const [name, migration] of Object.entries(set(kind))) {
      if (Object.hasOwn(migrations, name)) throw new Error(`two deployment migrations are named ${name}`);
      migrations[name] = migration;
    }
  }
  return { getMigrations: () => Promise.resolve(migrations) };
}
