/**
 * A throwaway PostgreSQL schema for store tests (127.0.0.1:5432, trust auth, user postgres, database test): its
 * URL selects the schema through the connection's search_path. Absent server: the test skips with a message, or
 * fails when REQUIRE_INTEROP=1.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

const SERVER = "postgres://postgres@127.0.0.1:5432/test";

/** A schema created for one test run. */
export interface TestSchema {
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a unique schema, or undefined (after skipping `context`) when PostgreSQL does not answer. */
export async function createTestSchema(context: Mocha.Context): Promise<TestSchema | undefined> {
  const client = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = `PostgreSQL at ${SERVER} does not answer (${(error as Error).message})`;
    if (process.env["REQUIRE_INTEROP"] === "1") throw new Error(reason, { cause: error });
    console.warn(`      skipped: ${reason}`);
    context.skip();
    return undefined;
  }
  const schema = `apsim_attestation_${randomBytes(6).toString("hex")}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  return {
    url: `${SERVER}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const dropper = new pg.Client({ connectionString: SERVER });
      await dropper.connect();
      await dropper.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dropper.end();
    },
  };
}
