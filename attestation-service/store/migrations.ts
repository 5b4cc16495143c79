/**
 * Schema migrations, in code (Kysely Migrator). Each migration is written once and never edited; later changes
 * are new entries. The migrator takes a lock (a row lock on PostgreSQL), so service replicas may start at once.
 */
import type { Kysely, Migration, MigrationProvider } from "kysely";
import type { DatabaseKind } from "../../lib/index.js";

function createTables(kind: DatabaseKind): Migration {
  const bytes = kind === "postgres" ? "bytea" : "blob";
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("attestation_sessions")
        .addColumn("id", "text", (column) => column.primaryKey())
        .addColumn("ak_name", "text", (column) => column.notNull())
        .addColumn("ek_spki_hash", "text", (column) => column.notNull())
        .addColumn("vendor", "text", (column) => column.notNull())
        .addColumn("nonce", bytes, (column) => column.notNull())
        .addColumn("secret_hash", bytes, (column) => column.notNull())
        .addColumn("ak_public", bytes, (column) => column.notNull())
        .addColumn("ek_issuer_certificate", bytes, (column) => column.notNull())
        .addColumn("tpm", "text", (column) => column.notNull())
        .addColumn("pcr_selection", bytes, (column) => column.notNull())
        .addColumn("created_at", "bigint", (column) => column.notNull())
        .addColumn("expires_at", "bigint", (column) => column.notNull())
        .addColumn("used_at", "bigint")
        .execute();
      await db.schema.createIndex("attestation_sessions_expires_at").on("attestation_sessions").column("expires_at").execute();
      await db.schema
        .createTable("issued_certificates")
        .addColumn("serial", "text", (column) => column.primaryKey())
        .addColumn("ak_name", "text", (column) => column.notNull())
        .addColumn("ek_spki_hash", "text", (column) => column.notNull())
        .addColumn("vendor", "text", (column) => column.notNull())
        .addColumn("der", bytes, (column) => column.notNull())
        .addColumn("issued_at", "bigint", (column) => column.notNull())
        .execute();
      await db.schema.createIndex("issued_certificates_ak_name").on("issued_certificates").column("ak_name").execute();
      await db.schema
        .createTable("ak_history")
        .addColumn("ak_name", "text", (column) => column.primaryKey())
        .addColumn("clock", "text", (column) => column.notNull())
        .addColumn("reset_count", "bigint", (column) => column.notNull())
        .addColumn("restart_count", "bigint", (column) => column.notNull())
        .addColumn("updated_at", "bigint", (column) => column.notNull())
        .execute();
    },
  };
}

/** The service's migrations for a database of `kind`, by name (names sort in order of application). */
export function attestationMigrations(kind: DatabaseKind): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve({ "0001_create_tables": createTables(kind) }),
  };
}
