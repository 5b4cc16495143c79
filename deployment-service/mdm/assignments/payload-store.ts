/**
 * The payload catalogue's store: payloads with their assignments, app content bytes with their SHA-256, and which
 * payloads each device was already given (so each session queues only what is missing). Kysely over the
 * deployment store's database, with its own migration.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Kysely, Migration } from "kysely";
import type { DatabaseKind } from "../../../lib/index.js";
import type { ParsedPayload, PayloadSpec } from "./payload-spec.js";

/** App content as catalogued. */
export interface PayloadContent {
  readonly contentId: string;
  /** Lower-case hex SHA-256 of the bytes. */
  readonly sha256: string;
  readonly size: number;
}

/** A catalogued payload. */
export interface PayloadRecord {
  readonly payloadId: string;
  readonly spec: PayloadSpec;
  readonly content: PayloadContent | undefined;
  readonly createdAt: number;
}

/** The payload table as Kysely sees it. */
export interface MdmPayloadsTable {
  payload_id: string;
  /** Catalogue order: payloads created in the same millisecond keep the order they were created in. */
  position: number | string;
  kind: string;
  spec: string;
  content_id: string | null;
  content_sha256: string | null;
  content_size: number | string | null;
  created_at: number | string;
}

/** App content, base64 so that SQLite and PostgreSQL store it alike. */
export interface MdmPayloadContentTable {
  content_id: string;
  data: string;
}

/** A payload queued for a device. */
export interface MdmPayloadDeliveriesTable {
  device_id: string;
  payload_id: string;
  delivered_at: number | string;
}

/** The last outcome the management extension reported for a payload on a device. */
export interface MdmExtensionResultsTable {
  device_id: string;
  payload_id: string;
  outcome: string;
  exit_code: number;
  reported_at: number | string;
}

/** The tables of the payload catalogue. */
export interface PayloadDatabase {
  mdm_payloads: MdmPayloadsTable;
  mdm_payload_content: MdmPayloadContentTable;
  mdm_payload_deliveries: MdmPayloadDeliveriesTable;
  mdm_extension_results: MdmExtensionResultsTable;
}

/** What a device reported of a Win32 app or script. */
export interface ExtensionResultRecord {
  readonly payloadId: string;
  readonly outcome: string;
  readonly exitCode: number;
  readonly reportedAt: number;
}

/** Creates the catalogue's tables (the same DDL on SQLite and PostgreSQL). */
export const payloadTablesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("mdm_payloads")
      .addColumn("payload_id", "text", (column) => column.primaryKey())
      .addColumn("position", "bigint", (column) => column.notNull().unique())
      .addColumn("kind", "text", (column) => column.notNull())
      .addColumn("spec", "text", (column) => column.notNull())
      .addColumn("content_id", "text")
      .addColumn("content_sha256", "text")
      .addColumn("content_size", "bigint")
      .addColumn("created_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("mdm_payload_content")
      .addColumn("content_id", "text", (column) => column.primaryKey())
      .addColumn("data", "text", (column) => column.notNull())
      .execute();
    await db.schema
      .createTable("mdm_payload_deliveries")
      .addColumn("device_id", "text", (column) => column.notNull())
      .addColumn("payload_id", "text", (column) => column.notNull())
      .addColumn("delivered_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("mdm_payload_deliveries_pk", ["device_id", "payload_id"])
      .execute();
    await db.schema
      .createTable("mdm_extension_results")
      .addColumn("device_id", "text", (column) => column.notNull())
      .addColumn("payload_id", "text", (column) => column.notNull())
      .addColumn("outcome", "text", (column) => column.notNull())
      .addColumn("exit_code", "bigint", (column) => column.notNull())
      .addColumn("reported_at", "bigint", (column) => column.notNull())
      .addPrimaryKeyConstraint("mdm_extension_results_pk", ["device_id", "payload_id"])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("mdm_extension_results").execute();
    await db.schema.dropTable("mdm_payload_deliveries").execute();
    await db.schema.dropTable("mdm_payload_content").execute();
    await db.schema.dropTable("mdm_payloads").execute();
  },
};

/** The catalogue's migrations by name, for the deployment store's migration list (they sort after the command queue's and the ESP's). */
export function payloadMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0007_mdm_payloads": payloadTablesMigration };
}

const normalizeDeviceId = (deviceId: string): string => deviceId.toUpperCase();

function recordFromRow(row: MdmPayloadsTable): PayloadRecord {
  const content =
    row.content_id === null || row.content_sha256 === null
      ? undefined
      : { contentId: row.content_id, sha256: row.content_sha256, size: Number(row.content_size) };
  return { payloadId: row.payload_id, spec: JSON.parse(row.spec) as PayloadSpec, content, createdAt: Number(row.created_at) };
}

/** The payload catalogue. */
export class PayloadStore {
  constructor(private readonly db: Kysely<PayloadDatabase>) {}

  /** Catalogues a payload and its content. */
  async create(payload: ParsedPayload, now: number): Promise<PayloadRecord> {
    const payloadId = randomUUID();
    const content =
      payload.content === undefined
        ? undefined
        : { contentId: randomUUID(), sha256: createHash("sha256").update(payload.content).digest("hex"), size: payload.content.length };
    await this.db.transaction().execute(async (trx) => {
      if (content !== undefined) {
        await trx.insertInto("mdm_payload_content").values({ content_id: content.contentId, data: payload.content!.toString("base64") }).execute();
      }
      const last = await trx.selectFrom("mdm_payloads").select((eb) => eb.fn.max("position").as("position")).executeTakeFirst();
      const position = last?.position === null || last?.position === undefined ? 1 : Number(last.position) + 1;
      await trx
        .insertInto("mdm_payloads")
        .values({
          payload_id: payloadId,
          position,
          kind: payload.spec.kind,
          spec: JSON.stringify(payload.spec),
          content_id: content?.contentId ?? null,
          content_sha256: content?.sha256 ?? null,
          content_size: content?.size ?? null,
          created_at: now,
        })
        .execute();
    });
    return { payloadId, spec: payload.spec, content, createdAt: now };
  }

  /** Every payload, in the order they were created. */
  async list(): Promise<PayloadRecord[]> {
    const rows = await this.db.selectFrom("mdm_payloads").selectAll().orderBy("position").execute();
    return rows.map(recordFromRow);
  }

  async find(payloadId: string): Promise<PayloadRecord | undefined> {
    const row = await this.db.selectFrom("mdm_payloads").selectAll().where("payload_id", "=", payloadId).executeTakeFirst();
    return row === undefined ? undefined : recordFromRow(row);
  }

  /** Removes a payload, its content and its delivery notes; false when there was none. */
  async delete(payloadId: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("mdm_payloads").select(["content_id"]).where("payload_id", "=", payloadId).executeTakeFirst();
      if (row === undefined) return false;
      await trx.deleteFrom("mdm_payload_deliveries").where("payload_id", "=", payloadId).execute();
      await trx.deleteFrom("mdm_extension_results").where("payload_id", "=", payloadId).execute();
      await trx.deleteFrom("mdm_payloads").where("payload_id", "=", payloadId).execute();
      if (row.content_id !== null) await trx.deleteFrom("mdm_payload_content").where("content_id", "=", row.content_id).execute();
      return true;
    });
  }

  /** The bytes of a content id, or undefined. */
  async content(contentId: string): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom("mdm_payload_content").select(["data"]).where("content_id", "=", contentId).executeTakeFirst();
    return row === undefined ? undefined : Buffer.from(row.data, "base64");
  }

  /** The ids of the payloads already queued for the device. */
  async deliveredTo(deviceId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom("mdm_payload_deliveries").select(["payload_id"]).where("device_id", "=", normalizeDeviceId(deviceId)).execute();
    return new Set(rows.map((row) => row.payload_id));
  }

  /** Notes that a payload was queued for the device (a second note of the same payload changes nothing). */
  async markDelivered(deviceId: string, payloadId: string, now: number): Promise<void> {
    await this.db
      .insertInto("mdm_payload_deliveries")
      .values({ device_id: normalizeDeviceId(deviceId), payload_id: payloadId, delivered_at: now })
      .onConflict((conflict) => conflict.columns(["device_id", "payload_id"]).doNothing())
      .execute();
  }

  /** Stores what the device reported of a payload, replacing its earlier report. */
  async recordExtensionResult(deviceId: string, result: Omit<ExtensionResultRecord, "reportedAt">, now: number): Promise<void> {
    const values = { device_id: normalizeDeviceId(deviceId), payload_id: result.payloadId, outcome: result.outcome, exit_code: result.exitCode, reported_at: now };
    await this.db
      .insertInto("mdm_extension_results")
      .values(values)
      .onConflict((conflict) => conflict.columns(["device_id", "payload_id"]).doUpdateSet({ outcome: values.outcome, exit_code: values.exit_code, reported_at: now }))
      .execute();
  }

  /** The device's reports, by payload id. */
  async extensionResults(deviceId: string): Promise<ExtensionResultRecord[]> {
    const rows = await this.db.selectFrom("mdm_extension_results").selectAll().where("device_id", "=", normalizeDeviceId(deviceId)).orderBy("payload_id").execute();
    return rows.map((row) => ({ payloadId: row.payload_id, outcome: row.outcome, exitCode: Number(row.exit_code), reportedAt: Number(row.reported_at) }));
  }
}
