/**
 * Opens a service's database: SQLite (better-sqlite3, WAL) for one machine, PostgreSQL (pg pool) for replicas,
 * behind one Kysely query layer, and brings its schema up to date.
 */
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider, type SqliteDatabase } from "kysely";
import pg from "pg";
import { ensurePrivateDir } from "./home.js";

/** Which engine a database runs on. */
export type DatabaseKind = "sqlite" | "postgres";

/** Where the database is: a SQLite file (or `:memory:`) or a PostgreSQL connection string. */
export type DatabaseLocation = { readonly kind: "sqlite"; readonly file: string } | { readonly kind: "postgres"; readonly url: string };

/** How long a SQLite writer waits for another process's transaction before failing (busy_timeout). */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Reads a `db` option: `postgres://…` / `postgresql://…`, `sqlite:PATH`, `:memory:` or a plain path;
 * absent means `<home>/<defaultFile>`. Relative paths are resolved against the working directory.
 */
export function parseDatabaseLocation(db: string | undefined, home: string, defaultFile: string): DatabaseLocation {
  if (db === undefined || db === "") return { kind: "sqlite", file: path.join(home, defaultFile) };
  if (/^postgres(ql)?:\/\//i.test(db)) return { kind: "postgres", url: db };
  const file = db.startsWith("sqlite:") ? db.slice("sqlite:".length) : db;
  if (file === "") throw new RangeError("sqlite: needs a file path");
  return { kind: "sqlite", file: file === ":memory:" ? file : path.resolve(file) };
}

/** An open database with its schema migrated. */
export interface OpenDatabase<Schema> {
  readonly kind: DatabaseKind;
  readonly db: Kysely<Schema>;
}

/** What {@link openDatabase} needs besides the location. */
export interface DatabaseSchemaOptions {
  /** The schema's migrations for an engine. */
  readonly migrations: (kind: DatabaseKind) => MigrationProvider;
  /**
   * The migrator's bookkeeping table: one per service, so that services sharing one PostgreSQL database keep
   * separate migration histories.
   */
  readonly migrationTableName?: string;
}

/** Compiled statements kept per SQL text (the service runs a few dozen distinct queries). */
const MAX_CACHED_STATEMENTS = 256;

/**
 * The database as Kysely's SQLite dialect sees it, with compiled statements reused: the dialect prepares every
 * query it runs, and better-sqlite3 compiles a statement each time, while the service runs the same few SQL texts
 * again and again. Statements run one at a time (the driver holds one connection and never streams), so reuse is safe.
 */
function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= MAX_CACHED_STATEMENTS) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

async function openSqlite<Schema>(file: string): Promise<Kysely<Schema>> {
  if (file !== ":memory:") await ensurePrivateDir(path.dirname(file));
  const database = new Database(file);
  database.pragma("journal_mode = WAL");
  // In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses nothing committed, a power
  // cut at most the last transactions, and the database stays consistent either way (sqlite.org/pragma.html#pragma_synchronous).
  database.pragma("synchronous = NORMAL");
  database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

function openPostgres<Schema>(url: string): Kysely<Schema> {
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }) });
}

/** Opens the database at `location` and applies pending migrations; throws when a migration fails. */
export async function openDatabase<Schema>(location: DatabaseLocation, schema: DatabaseSchemaOptions): Promise<OpenDatabase<Schema>> {
  const db = location.kind === "sqlite" ? await openSqlite<Schema>(location.file) : openPostgres<Schema>(location.url);
  try {
    const migrator = new Migrator({
      db,
      provider: schema.migrations(location.kind),
      ...(schema.migrationTableName === undefined ? {} : { migrationTableName: schema.migrationTableName }),
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error("database migration failed", { cause: error });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { kind: location.kind, db };
}

/** True when `error` is a unique-constraint violation of either engine (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_*). */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  return code === "23505" || code.startsWith("SQLITE_CONSTRAINT");
}
