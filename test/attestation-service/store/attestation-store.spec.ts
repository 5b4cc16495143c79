import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ProtocolError } from "../../../protocol/index.js";
import { checkAkRollback } from "../../../attestation-service/checks/ak-rollback.js";
import {
  openAttestationStore,
  type AkClock,
  type AttestationStore,
  type SessionRecord,
} from "../../../attestation-service/store/attestation-store.js";
import { parseDatabaseLocation } from "../../../attestation-service/store/database.js";
import { createTestSchema, type TestSchema } from "../support/postgres.js";

const NOW = Date.UTC(2026, 2, 1);

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomBytes(32).toString("base64url"),
    akName: "000b" + randomBytes(32).toString("hex"),
    ekSpkiHash: randomBytes(32).toString("hex"),
    vendor: "IFX",
    nonce: randomBytes(32),
    secretHash: randomBytes(32),
    akPublic: randomBytes(90),
    ekIssuerCertificate: randomBytes(300),
    tpm: { manufacturer: 0x49465800, model: "SLB9672", certifiedVersion: 0x100000a, firmwareVersion1: 0x100000a, firmwareVersion2: 7 },
    pcrSelection: Buffer.from("000000010b03ff0000", "hex"),
    createdAt: NOW,
    expiresAt: NOW + 300_000,
    usedAt: undefined,
    ...overrides,
  };
}

function commit(record: SessionRecord, now: number, akClock: AkClock = { clock: 1000n, resetCount: 1, restartCount: 0 }) {
  return {
    sessionId: record.id,
    now,
    akName: record.akName,
    akClock,
    certificate: {
      serial: randomBytes(16).toString("hex"),
      akName: record.akName,
      ekSpkiHash: record.ekSpkiHash,
      vendor: record.vendor,
      der: randomBytes(500),
      issuedAt: now,
    },
    checkHistory: (previous: AkClock | undefined) => checkAkRollback(previous, akClock),
  };
}

/** The behaviour every backend must show; `open` gives a fresh handle on the same database. */
function storeBehaviour(open: () => Promise<AttestationStore>, options: { twoPools: boolean }): void {
  let store: AttestationStore;
  before(async () => {
    store = await open();
  });
  after(async () => store.close());

  it("round-trips a session, bytes and large times included", async () => {
    const record = session({ expiresAt: 8.64e15 - 1 });
    await store.insertSession(record);
    const found = await store.findSession(record.id);
    expect(found).to.deep.equal(record);
    expect(await store.findSession("nope")).to.equal(undefined);
    const another = await open();
    try {
      expect(await another.findSession(record.id)).to.deep.equal(record);
    } finally {
      await another.close();
    }
  });

  it("reads a session consumed through another handle as used, and refuses its proof", async () => {
    const other = await open();
    try {
      const record = session();
      await store.insertSession(record);
      expect(await other.commitProof(commit(record, NOW + 1))).to.equal("consumed");
      expect(await store.commitProof(commit(record, NOW + 2))).to.equal("replayed");
      expect((await store.findSession(record.id))?.usedAt).to.equal(NOW + 1);
    } finally {
      await other.close();
    }
  });

  it("consumes a session once, then reports it replayed; expired and unknown sessions are not consumed", async () => {
    const record = session();
    await store.insertSession(record);
    expect(await store.commitProof(commit(record, NOW + 1))).to.equal("consumed");
    expect(await store.commitProof(commit(record, NOW + 2))).to.equal("replayed");
    expect((await store.findSession(record.id))?.usedAt).to.equal(NOW + 1);
    expect(await store.issuedCertificates(record.akName)).to.have.length(1);

    const late = session();
    await store.insertSession(late);
    expect(await store.commitProof(commit(late, late.expiresAt))).to.equal("expired");
    expect((await store.findSession(late.id))?.usedAt).to.equal(undefined);
    expect(await store.commitProof(commit(session(), NOW))).to.equal("unknown");
  });

  it("keeps the AK's clock, and a rollback aborts the whole commit (session stays unused, nothing issued)", async () => {
    const first = session();
    await store.insertSession(first);
    const clock = { clock: 2n ** 63n + 5n, resetCount: 0xfffffff0, restartCount: 3 };
    expect(await store.commitProof(commit(first, NOW, clock))).to.equal("consumed");
    expect(await store.akHistory(first.akName)).to.deep.equal(clock);

    const second = session({ akName: first.akName });
    await store.insertSession(second);
    const older = commit(second, NOW, { ...clock, clock: clock.clock - 1n });
    let caught: unknown;
    try {
      await store.commitProof(older);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(ProtocolError).with.property("code", "AK_ROLLBACK");
    expect((await store.findSession(second.id))?.usedAt).to.equal(undefined);
    expect(await store.issuedCertificates(first.akName)).to.have.length(1);
    expect(await store.akHistory(first.akName)).to.deep.equal(clock);

    const wrapped = { clock: 5n, resetCount: 0x00000002, restartCount: 0 };
    expect(await store.commitProof(commit(second, NOW, wrapped))).to.equal("consumed");
    expect(await store.akHistory(first.akName)).to.deep.equal(wrapped);
  });

  it("lets exactly one of 20 concurrent commits of one session win", async () => {
    const record = session();
    await store.insertSession(record);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.commitProof(commit(record, NOW + i))));
    expect(outcomes.filter((outcome) => outcome === "consumed")).to.have.length(1);
    expect(outcomes.filter((outcome) => outcome === "replayed")).to.have.length(19);
    expect(await store.issuedCertificates(record.akName)).to.have.length(1);
  });

  it("lets exactly one of 20 commits spread over two independent stores win", async function () {
    // better-sqlite3 waits for a lock synchronously: two connections in one process cannot wait for each other.
    if (!options.twoPools) this.skip();
    const other = await open();
    try {
      const record = session();
      await store.insertSession(record);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).commitProof(commit(record, NOW + i))),
      );
      expect(outcomes.filter((outcome) => outcome === "consumed")).to.have.length(1);
      expect(await other.issuedCertificates(record.akName)).to.have.length(1);
    } finally {
      await other.close();
    }
  });

  it("prunes sessions that expired before a time", async () => {
    const old = session({ expiresAt: NOW - 10 });
    const fresh = session();
    await store.insertSession(old);
    await store.insertSession(fresh);
    expect(await store.pruneSessions(NOW)).to.be.greaterThan(0);
    expect(await store.findSession(old.id)).to.equal(undefined);
    expect(await store.findSession(fresh.id)).to.not.equal(undefined);
  });
}

describe("attestation-service store", function () {
  this.timeout(60_000);

  describe("database locations", () => {
    it("reads postgres URLs, sqlite: paths, :memory: and plain paths; defaults under the home", () => {
      expect(parseDatabaseLocation(undefined, "/h")).to.deep.equal({ kind: "sqlite", file: path.join("/h", "attestation.sqlite") });
      expect(parseDatabaseLocation("postgresql://u@h/db", "/h")).to.deep.equal({ kind: "postgres", url: "postgresql://u@h/db" });
      expect(parseDatabaseLocation("sqlite:/x/a.db", "/h")).to.deep.equal({ kind: "sqlite", file: "/x/a.db" });
      expect(parseDatabaseLocation(":memory:", "/h")).to.deep.equal({ kind: "sqlite", file: ":memory:" });
      expect(parseDatabaseLocation("b.db", "/h")).to.deep.equal({ kind: "sqlite", file: path.resolve("b.db") });
    });
  });

  describe("SQLite (WAL file)", () => {
    let home: string;
    before(async () => {
      home = await mkdtemp(path.join(os.tmpdir(), "apsim-store-"));
    });
    after(async () => rm(home, { recursive: true, force: true }));

    storeBehaviour(() => openAttestationStore({ home }), { twoPools: false });

    it("creates the database under the home, in WAL mode", async () => {
      expect((await stat(path.join(home, "attestation.sqlite"))).isFile()).to.equal(true);
      expect((await stat(path.join(home, "attestation.sqlite-wal"))).isFile()).to.equal(true);
    });
  });

  describe("PostgreSQL", () => {
    let schema: TestSchema | undefined;
    before(async function () {
      schema = await createTestSchema(this);
    });
    after(async () => schema?.drop());

    storeBehaviour(() => openAttestationStore({ home: os.tmpdir(), db: schema!.url }), { twoPools: true });
  });
});
