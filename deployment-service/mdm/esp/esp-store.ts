/**
 * Where the Enrollment Status Page is kept: the settings (a tenant default and per-profile ones) and, per device,
 * what its ESP tracks and whether the server has finished provisioning it. Kysely over the deployment store's
 * database, with its own migration.
 */
import type { Kysely, Migration } from "kysely";
import type { DatabaseKind } from "../../../lib/index.js";
import { parseEspSettings, type EspSettings } from "./esp-settings.js";
import type { TrackedItems } from "./tracked-items.js";

/** The scope of the tenant's default settings. */
export const TENANT_DEFAULT_SCOPE = "tenant";

/** The scope of one deployment profile's settings. */
export const profileScope = (profileId: string): string => `profile:${profileId}`;

/** ESP settings as Kysely sees them. */
export interface EspSettingsTable {
  scope: string;
  settings: string;
  updated_at: number | string;
}

/** One device's ESP as Kysely sees it. */
export interface EspTrackingTable {
  device_id: string;
  /** JSON of the settings in force, or null when no ESP applies to the device. */
  settings: string | null;
  tracked: string;
  started_at: number | string;
  finished_at: number | string | null;
}

/** The tables of this part of the deployment store. */
export interface EspDatabase {
  esp_settings: EspSettingsTable;
  esp_tracking: EspTrackingTable;
}

/** One device's ESP as the server runs it. */
export interface EspTrackingRecord {
  readonly deviceId: string;
  /** Null when no ESP applies to the device (none configured, or progress not shown). */
  readonly settings: EspSettings | null;
  readonly tracked: TrackedItems;
  readonly startedAt: number;
  /** When ServerHasFinishedProvisioning=true was queued; null before. */
  readonly finishedAt: number | null;
}

/** Creates the ESP tables (the same DDL on SQLite and PostgreSQL). */
export const espTablesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("esp_settings")
      .addColumn("scope", "text", (column) => column.primaryKey())
      .addColumn("settings", "text", (column) => column.notNull())
      .addColumn("updated_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("esp_tracking")
      .addColumn("device_id", "text", (column) => column.primaryKey())
      .addColumn("settings", "text")
      .addColumn("tracked", "text", (column) => column.notNull())
      .addColumn("started_at", "bigint", (column) => column.notNull())
      .addColumn("finished_at", "bigint")
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("esp_tracking").execute();
    await db.schema.dropTable("esp_settings").execute();
  },
};

/** The ESP's migrations by name (after the command queue's), for the deployment store's migration list. */
export function espMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0006_esp": espTablesMigration };
}

const normalizeDeviceId = (deviceId: string): string => deviceId.toUpperCase();

function trackingFromRow(row: EspTrackingTable): EspTrackingRecord {
  return {
    deviceId: row.device_id,
    settings: row.settings === null ? null : parseEspSettings(JSON.parse(row.settings)),
    tracked: JSON.parse(row.tracked) as TrackedItems,
    startedAt: Number(row.started_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
  };
}

/** Settings and per-device tracking. */
export class EspStore {
  constructor(private readonly db: Kysely<EspDatabase>) {}

  /** The settings of `scope`, or undefined. */
  async settings(scope: string): Promise<EspSettings | undefined> {
    const row = await this.db.selectFrom("esp_settings").select("settings").where("scope", "=", scope).executeTakeFirst();
    return row === undefined ? undefined : parseEspSettings(JSON.parse(row.settings));
  }

  /** Stores the settings of `scope`, replacing earlier ones. */
  async putSettings(scope: string, settings: EspSettings, now: number): Promise<void> {
    const values = { scope, settings: JSON.stringify(settings), updated_at: now };
    await this.db
      .insertInto("esp_settings")
      .values(values)
      .onConflict((conflict) => conflict.column("scope").doUpdateSet({ settings: values.settings, updated_at: now }))
      .execute();
  }

  /** Removes the settings of `scope`; false when there were none. */
  async deleteSettings(scope: string): Promise<boolean> {
    const result = await this.db.deleteFrom("esp_settings").where("scope", "=", scope).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The device's ESP, or undefined before its first session. */
  async tracking(deviceId: string): Promise<EspTrackingRecord | undefined> {
    const row = await this.db.selectFrom("esp_tracking").selectAll().where("device_id", "=", normalizeDeviceId(deviceId)).executeTakeFirst();
    return row === undefined ? undefined : trackingFromRow(row);
  }

  /** Records the start of a device's ESP; false when another session recorded it first. */
  async startTracking(record: EspTrackingRecord): Promise<boolean> {
    const result = await this.db
      .insertInto("esp_tracking")
      .values({
        device_id: normalizeDeviceId(record.deviceId),
        settings: record.settings === null ? null : JSON.stringify(record.settings),
        tracked: JSON.stringify(record.tracked),
        started_at: record.startedAt,
        finished_at: record.finishedAt,
      })
      .onConflict((conflict) => conflict.column("device_id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Replaces what the device's ESP tracks. */
  async updateTracked(deviceId: string, tracked: TrackedItems): Promise<void> {
    await this.db.updateTable("esp_tracking").set({ tracked: JSON.stringify(tracked) }).where("device_id", "=", normalizeDeviceId(deviceId)).execute();
  }

  /** Notes that the server finished provisioning the device; false when it already had. */
  async finish(deviceId: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable("esp_tracking")
      .set({ finished_at: now })
      .where("device_id", "=", normalizeDeviceId(deviceId))
      .where("finished_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Forgets a device's ESP (a re-enrollment starts a new one). */
  async forget(deviceId: string): Promise<void> {
    await this.db.deleteFrom("esp_tracking").where("device_id", "=", normalizeDeviceId(deviceId)).execute();
  }
}
