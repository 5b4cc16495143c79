/**
 * The durable per-device queue of management commands: queued by the admin API, sent in order at the device's next
 * sessions, and completed with every Status and Results the device returns stored against the command. Kysely over
 * the deployment store's database, with its own migration.
 */
import { randomUUID } from "node:crypto";
import type { Kysely, Migration } from "kysely";
import type { DatabaseKind } from "../../../lib/index.js";
import type { CommandMember, CommandSpec } from "./command-spec.js";

/** Where a command is in its life. */
export type CommandState = "queued" | "sent" | "completed";

/** One Status the device returned for a command or one of its Atomic members. */
export interface StoredStatus {
  readonly member: CommandMember;
  /** The command answered (`Replace`, `Atomic`, …). */
  readonly cmd: string;
  readonly code: number;
  readonly targetRefs: readonly string[];
}

/** One item of the Results of a Get. */
export interface StoredResult {
  readonly member: CommandMember;
  readonly source: string;
  readonly format?: string;
  readonly data: string;
}

/** A queued command with what became of it. */
export interface CommandRecord {
  readonly commandId: string;
  /** The MDM DeviceID of the enrollment. */
  readonly deviceId: string;
  readonly spec: CommandSpec;
  readonly state: CommandState;
  /** The session and server message that last carried it. */
  readonly sessionId: string | null;
  readonly msgId: string | null;
  /** The Status of the command itself once the device answered it. */
  readonly status: number | null;
  readonly statuses: readonly StoredStatus[];
  readonly results: readonly StoredResult[];
  readonly queuedAt: number;
  readonly sentAt: number | null;
  readonly completedAt: number | null;
}

/** The command table as Kysely sees it. */
export interface MdmCommandsTable {
  command_id: string;
  device_id: string;
  position: number | string;
  spec: string;
  state: string;
  session_id: string | null;
  msg_id: string | null;
  status: number | null;
  statuses: string;
  results: string;
  queued_at: number | string;
  sent_at: number | string | null;
  completed_at: number | string | null;
}

/** The tables of this part of the deployment store. */
export interface CommandQueueDatabase {
  mdm_commands: MdmCommandsTable;
}

/** Creates the command table (the same DDL on SQLite and PostgreSQL). */
export const commandTablesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("mdm_commands")
      .addColumn("command_id", "text", (column) => column.primaryKey())
      .addColumn("device_id", "text", (column) => column.notNull())
      .addColumn("position", "bigint", (column) => column.notNull())
      .addColumn("spec", "text", (column) => column.notNull())
      .addColumn("state", "text", (column) => column.notNull())
      .addColumn("session_id", "text")
      .addColumn("msg_id", "text")
      .addColumn("status", "integer")
      .addColumn("statuses", "text", (column) => column.notNull())
      .addColumn("results", "text", (column) => column.notNull())
      .addColumn("queued_at", "bigint", (column) => column.notNull())
      .addColumn("sent_at", "bigint")
      .addColumn("completed_at", "bigint")
      .execute();
    await db.schema.createIndex("mdm_commands_device_position").on("mdm_commands").columns(["device_id", "position"]).unique().execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("mdm_commands").execute();
  },
};

/** The command queue's migrations by name, for the deployment store's migration list. */
export function commandQueueMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0004_mdm_commands": commandTablesMigration };
}

const normalizeDeviceId = (deviceId: string): string => deviceId.toUpperCase();

function recordFromRow(row: MdmCommandsTable): CommandRecord {
  const optionalNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));
  return {
    commandId: row.command_id,
    deviceId: row.device_id,
    spec: JSON.parse(row.spec) as CommandSpec,
    state: row.state as CommandState,
    sessionId: row.session_id,
    msgId: row.msg_id,
    status: optionalNumber(row.status),
    statuses: JSON.parse(row.statuses) as StoredStatus[],
    results: JSON.parse(row.results) as StoredResult[],
    queuedAt: Number(row.queued_at),
    sentAt: optionalNumber(row.sent_at),
    completedAt: optionalNumber(row.completed_at),
  };
}

/** The per-device command queue. */
export class CommandQueue {
  constructor(private readonly db: Kysely<CommandQueueDatabase>) {}

  /** Queues `spec` after the device's other commands. */
  async enqueue(deviceId: string, spec: CommandSpec, now: number): Promise<CommandRecord> {
    const device = normalizeDeviceId(deviceId);
    const commandId = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom("mdm_commands").select((eb) => eb.fn.max("position").as("position")).where("device_id", "=", device).executeTakeFirst();
      const position = last?.position === null || last?.position === undefined ? 1 : Number(last.position) + 1;
      await trx
        .insertInto("mdm_commands")
        .values({
          command_id: commandId,
          device_id: device,
          position,
          spec: JSON.stringify(spec),
          state: "queued",
          session_id: null,
          msg_id: null,
          status: null,
          statuses: "[]",
          results: "[]",
          queued_at: now,
          sent_at: null,
          completed_at: null,
        })
        .execute();
    });
    return (await this.find(device, commandId))!;
  }

  /** The device's commands in queue order. */
  async list(deviceId: string): Promise<CommandRecord[]> {
    const rows = await this.db.selectFrom("mdm_commands").selectAll().where("device_id", "=", normalizeDeviceId(deviceId)).orderBy("position").execute();
    return rows.map(recordFromRow);
  }

  /** One of the device's commands, or undefined. */
  async find(deviceId: string, commandId: string): Promise<CommandRecord | undefined> {
    const row = await this.db
      .selectFrom("mdm_commands")
      .selectAll()
      .where("device_id", "=", normalizeDeviceId(deviceId))
      .where("command_id", "=", commandId)
      .executeTakeFirst();
    return row === undefined ? undefined : recordFromRow(row);
  }

  /** The first `limit` commands still waiting to be sent, in order. */
  async nextQueued(deviceId: string, limit: number): Promise<CommandRecord[]> {
    const rows = await this.db
      .selectFrom("mdm_commands")
      .selectAll()
      .where("device_id", "=", normalizeDeviceId(deviceId))
      .where("state", "=", "queued")
      .orderBy("position")
      .limit(limit)
      .execute();
    return rows.map(recordFromRow);
  }

  /** Notes that the commands went out in server message `msgId` of `sessionId`. */
  async markSent(commandIds: readonly string[], sessionId: string, msgId: string, now: number): Promise<void> {
    if (commandIds.length === 0) return;
    await this.db
      .updateTable("mdm_commands")
      .set({ state: "sent", session_id: sessionId, msg_id: msgId, sent_at: now })
      .where("command_id", "in", [...commandIds])
      .execute();
  }

  /** Puts the device's sent but unanswered commands back in the queue (their session ended without an answer). */
  async requeueUnanswered(deviceId: string): Promise<void> {
    await this.db.updateTable("mdm_commands").set({ state: "queued" }).where("device_id", "=", normalizeDeviceId(deviceId)).where("state", "=", "sent").execute();
  }

  /** Stores a Status; the Status of the command itself completes it. */
  async recordStatus(commandId: string, status: StoredStatus, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("mdm_commands").select(["statuses"]).where("command_id", "=", commandId).executeTakeFirst();
      if (row === undefined) return;
      const statuses = [...(JSON.parse(row.statuses) as StoredStatus[]), status];
      const completion = status.member === null ? { state: "completed", status: status.code, completed_at: now } : {};
      await trx
        .updateTable("mdm_commands")
        .set({ statuses: JSON.stringify(statuses), ...completion })
        .where("command_id", "=", commandId)
        .execute();
    });
  }

  /** Stores the items of a Results. */
  async recordResults(commandId: string, results: readonly StoredResult[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom("mdm_commands").select(["results"]).where("command_id", "=", commandId).executeTakeFirst();
      if (row === undefined) return;
      await trx
        .updateTable("mdm_commands")
        .set({ results: JSON.stringify([...(JSON.parse(row.results) as StoredResult[]), ...results]) })
        .where("command_id", "=", commandId)
        .execute();
    });
  }
}
