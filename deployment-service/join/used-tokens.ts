/**
 * The replay guard of attestation tokens in the deployment store, so that replicas sharing one database accept each
 * token once between them: the token id is the primary key, and a second insert of it fails.
 */
import type { Kysely, Migration } from "kysely";
import { isUniqueViolation, type DatabaseKind } from "../../lib/index.js";
import type { TokenReplayGuard } from "./token-replay-guard.js";

/** The used-tokens table as Kysely sees it. */
export interface UsedAttestationTokensTable {
  jti: string;
  expires_at: number;
}

export interface UsedAttestationTokensDatabase {
  used_attestation_tokens: UsedAttestationTokensTable;
}

const createUsedTokens: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("used_attestation_tokens")
      .addColumn("jti", "text", (column) => column.primaryKey())
      .addColumn("expires_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("used_attestation_tokens_expiry").on("used_attestation_tokens").column("expires_at").execute();
  },
};

/** The table's migrations by name, for the deployment store's list. */
export function usedTokenMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0003_used_attestation_tokens": createUsedTokens };
}

/** How often expired ids are deleted (a token id is kept until the token would have expired anyway). */
const PRUNE_INTERVAL_MS = 60_000;

/** A replay guard over a database whose migrations include {@link usedTokenMigrations}. */
export function databaseTokenReplayGuard(db: Kysely<UsedAttestationTokensDatabase>): TokenReplayGuard {
  let prunedAt = Number.NEGATIVE_INFINITY;
  return {
    async consume(jti, expiresAt, now) {
      if (now - prunedAt >= PRUNE_INTERVAL_MS) {
        prunedAt = now;
        await db.deleteFrom("used_attestation_tokens").where("expires_at", "<=", now).execute();
      }
      try {
        await db.insertInto("used_attestation_tokens").values({ jti, expires_at: expiresAt }).execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}
