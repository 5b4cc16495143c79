import { expect } from "chai";
import os from "node:os";
import type { Kysely } from "kysely";
import { databaseTokenReplayGuard, type UsedAttestationTokensDatabase } from "../../../deployment-service/join/used-tokens.js";
import { openDeploymentStore } from "../../../deployment-service/store/deployment-store.js";
import { usedTokenMigrations } from "../../../deployment-service/join/used-tokens.js";

describe("deployment-service/join/used-tokens", () => {
  it("accepts a token id once, even from two guards over one database, and forgets it once expired", async () => {
    const store = await openDeploymentStore({ home: os.tmpdir(), db: ":memory:", extraMigrations: [usedTokenMigrations] });
    try {
      const db = store.db as unknown as Kysely<UsedAttestationTokensDatabase>;
      const replicaA = databaseTokenReplayGuard(db);
      const replicaB = databaseTokenReplayGuard(db);
      expect(await replicaA.consume("token-1", 5_000, 1_000)).to.equal(true);
      expect(await replicaB.consume("token-1", 5_000, 1_000)).to.equal(false);
      expect(await replicaA.consume("token-1", 5_000, 2_000)).to.equal(false);
      expect(await replicaA.consume("token-2", 5_000, 2_000)).to.equal(true);
      // a minute later the expired ids are swept; an id may then be seen again (its token is refused as expired anyway)
      expect(await replicaA.consume("token-1", 200_000, 100_000)).to.equal(true);
    } finally {
      await store.close();
    }
  });
});
