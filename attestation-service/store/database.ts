/** The attestation service's database: the shared opener with this service's schema and default file. */
import { openDatabase as openServiceDatabase, parseDatabaseLocation as parseLocation, type DatabaseLocation, type OpenDatabase } from "../../lib/index.js";
import { attestationMigrations } from "./migrations.js";
import type { AttestationDatabase } from "./schema.js";

export type { DatabaseKind, DatabaseLocation } from "../../lib/index.js";

/** File name of the SQLite database under the home directory. */
export const DEFAULT_SQLITE_FILE = "attestation.sqlite";

/** Reads the service's `db` option; absent means `<home>/attestation.sqlite` (see lib's parseDatabaseLocation). */
export function parseDatabaseLocation(db: string | undefined, home: string): DatabaseLocation {
  return parseLocation(db, home, DEFAULT_SQLITE_FILE);
}

/** Opens the attestation database at `location` and applies pending migrations. */
export function openDatabase(location: DatabaseLocation): Promise<OpenDatabase<AttestationDatabase>> {
  return openServiceDatabase<AttestationDatabase>(location, { migrations: attestationMigrations });
}
