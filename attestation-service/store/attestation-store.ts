/**
 * The attestation service's query layer, one implementation for SQLite and PostgreSQL: sessions (created by a
 * challenge, consumed once by a proof), issued AIK certificates, and each AK's last clock and counters.
 */
import type { Kysely, Transaction } from "kysely";
import { openDatabase, parseDatabaseLocation, type DatabaseKind } from "./database.js";
import type { AttestationDatabase } from "./schema.js";

/** TPM facts kept with a session for the AIK certificate and the token. */
export interface SessionTpmFacts {
  /** TPM_PT_MANUFACTURER. */
  readonly manufacturer: number;
  /** tcg-at-tpmModel and tcg-at-tpmVersion of the EK certificate. */
  readonly model: string;
  readonly certifiedVersion: number;
  /** TPM_PT_FIRMWARE_VERSION_1 and _2 as reported. */
  readonly firmwareVersion1: number;
  readonly firmwareVersion2: number;
}

/** A challenge awaiting its proof. */
export interface SessionRecord {
  readonly id: string;
  readonly akName: string;
  readonly ekSpkiHash: string;
  readonly vendor: string;
  readonly nonce: Buffer;
  readonly secretHash: Buffer;
  readonly akPublic: Buffer;
  readonly ekIssuerCertificate: Buffer;
  readonly tpm: SessionTpmFacts;
  readonly pcrSelection: Buffer;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** When a proof consumed it; undefined while unused. */
  readonly usedAt: number | undefined;
}

/** An AK's TPMS_CLOCK_INFO as its attestations report it (counters possibly obfuscated, consistently per key). */
export interface AkClock {
  readonly clock: bigint;
  readonly resetCount: number;
  readonly restartCount: number;
}

/** An issued AIK certificate. */
export interface IssuedCertificateRecord {
  readonly serial: string;
  readonly akName: string;
  readonly ekSpkiHash: string;
  readonly vendor: string;
  readonly der: Uint8Array;
  readonly issuedAt: number;
}

/** How an attempt to consume a session ended. */
export type ConsumeOutcome = "consumed" | "unknown" | "expired" | "replayed";

/** What a successful proof writes, atomically. */
export interface ProofCommit {
  readonly sessionId: string;
  readonly now: number;
  readonly akName: string;
  readonly akClock: AkClock;
  readonly certificate: IssuedCertificateRecord;
  /** Throws (a ProtocolError) to abort the commit when the AK's clock went backwards since `previous`. */
  readonly checkHistory: (previous: AkClock | undefined) => void;
}

/** The service's persistent state. */
export interface AttestationStore {
  readonly kind: DatabaseKind;
  insertSession(session: SessionRecord): Promise<void>;
  /** The session `id`, as this store inserted it when no proof has been committed for it here since, else as stored. */
  findSession(id: string): Promise<SessionRecord | undefined>;
  akHistory(akName: string): Promise<AkClock | undefined>;
  /**
   * In one transaction: marks the session used (one conditional UPDATE … WHERE used_at IS NULL AND not expired,
   * so exactly one of any number of concurrent proofs wins, across processes), checks and records the AK's
   * clock, and records the certificate. Anything but "consumed" leaves the database unchanged.
   */
  commitProof(commit: ProofCommit): Promise<ConsumeOutcome>;
  issuedCertificates(akName: string): Promise<IssuedCertificateRecord[]>;
  /** Deletes sessions that expired before `before`; returns how many. */
  pruneSessions(before: number): Promise<number>;
  close(): Promise<void>;
}

const toNumber = (value: number | string): number => (typeof value === "number" ? value : Number(value));

function sessionFromRow(row: AttestationDatabase["attestation_sessions"]): SessionRecord {
  return {
    id: row.id,
    akName: row.ak_name,
    ekSpkiHash: row.ek_spki_hash,
    vendor: row.vendor,
    nonce: Buffer.from(row.nonce),
    secretHash: Buffer.from(row.secret_hash),
    akPublic: Buffer.from(row.ak_public),
    ekIssuerCertificate: Buffer.from(row.ek_issuer_certificate),
    tpm: JSON.parse(row.tpm) as SessionTpmFacts,
    pcrSelection: Buffer.from(row.pcr_selection),
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
    usedAt: row.used_at === null ? undefined : toNumber(row.used_at),
  };
}

type Executor = Kysely<AttestationDatabase> | Transaction<AttestationDatabase>;

async function readAkHistory(db: Executor, akName: string, lock: boolean): Promise<AkClock | undefined> {
  let query = db.selectFrom("ak_history").select(["clock", "reset_count", "restart_count"]).where("ak_name", "=", akName);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined
    ? undefined
    : { clock: BigInt(row.clock), resetCount: toNumber(row.reset_count), restartCount: toNumber(row.restart_count) };
}

function classify(session: SessionRecord | undefined, now: number): ConsumeOutcome {
  if (session === undefined) return "unknown";
  if (session.usedAt !== undefined) return "replayed";
  return session.expiresAt <= now ? "expired" : "consumed";
}

/**
 * Sessions this store opened and no proof has consumed here yet, most recent last. A proof usually comes back to
 * the replica that answered its challenge, which then reads the session from here instead of the database. The
 * database stays the authority on consumption: commitProof's conditional UPDATE decides, so a session consumed
 * through another replica is still refused here, at the commit.
 */
const MAX_RECENT_SESSIONS = 4096;

class KyselyAttestationStore implements AttestationStore {
  readonly #recentSessions = new Map<string, SessionRecord>();

  constructor(
    readonly kind: DatabaseKind,
    private readonly db: Kysely<AttestationDatabase>,
  ) {}

  #remember(session: SessionRecord): void {
    if (session.usedAt !== undefined) return;
    if (this.#recentSessions.size >= MAX_RECENT_SESSIONS) this.#recentSessions.delete(this.#recentSessions.keys().next().value!);
    this.#recentSessions.set(session.id, session);
  }

  async insertSession(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto("attestation_sessions")
      .values({
        id: session.id,
        ak_name: session.akName,
        ek_spki_hash: session.ekSpkiHash,
        vendor: session.vendor,
        nonce: Buffer.from(session.nonce),
        secret_hash: Buffer.from(session.secretHash),
        ak_public: Buffer.from(session.akPublic),
        ek_issuer_certificate: Buffer.from(session.ekIssuerCertificate),
        tpm: JSON.stringify(session.tpm),
        pcr_selection: Buffer.from(session.pcrSelection),
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        used_at: session.usedAt ?? null,
      })
      .execute();
    this.#remember(session);
  }

  async findSession(id: string): Promise<SessionRecord | undefined> {
    const recent = this.#recentSessions.get(id);
    if (recent !== undefined) return recent;
    const row = await this.db.selectFrom("attestation_sessions").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? undefined : sessionFromRow(row);
  }

  akHistory(akName: string): Promise<AkClock | undefined> {
    return readAkHistory(this.db, akName, false);
  }

  async commitProof(commit: ProofCommit): Promise<ConsumeOutcome> {
    // whatever the outcome, the database answers for this session from now on
    this.#recentSessions.delete(commit.sessionId);
    return this.db.transaction().execute(async (trx) => {
      const consumed = await trx
        .updateTable("attestation_sessions")
        .set({ used_at: commit.now })
        .where("id", "=", commit.sessionId)
        .where("used_at", "is", null)
        .where("expires_at", ">", commit.now)
        .executeTakeFirst();
      if (consumed.numUpdatedRows !== 1n) {
        const row = await trx.selectFrom("attestation_sessions").selectAll().where("id", "=", commit.sessionId).executeTakeFirst();
        const outcome = classify(row === undefined ? undefined : sessionFromRow(row), commit.now);
        return outcome === "consumed" ? "replayed" : outcome;
      }
      await this.recordAkClock(trx, commit);
      const certificate = commit.certificate;
      await trx
        .insertInto("issued_certificates")
        .values({
          serial: certificate.serial,
          ak_name: certificate.akName,
          ek_spki_hash: certificate.ekSpkiHash,
          vendor: certificate.vendor,
          der: Buffer.from(certificate.der),
          issued_at: certificate.issuedAt,
        })
        .execute();
      return "consumed";
    });
  }

  /** First attestation of an AK inserts its row; later ones lock it (PostgreSQL), check, and move it forward. */
  private async recordAkClock(trx: Transaction<AttestationDatabase>, commit: ProofCommit): Promise<void> {
    const values = {
      clock: commit.akClock.clock.toString(),
      reset_count: commit.akClock.resetCount,
      restart_count: commit.akClock.restartCount,
      updated_at: commit.now,
    };
    const inserted = await trx
      .insertInto("ak_history")
      .values({ ak_name: commit.akName, ...values })
      .onConflict((conflict) => conflict.column("ak_name").doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 1n) {
      commit.checkHistory(undefined);
      return;
    }
    commit.checkHistory(await readAkHistory(trx, commit.akName, this.kind === "postgres"));
    await trx.updateTable("ak_history").set(values).where("ak_name", "=", commit.akName).execute();
  }

  async issuedCertificates(akName: string): Promise<IssuedCertificateRecord[]> {
    const rows = await this.db.selectFrom("issued_certificates").selectAll().where("ak_name", "=", akName).orderBy("issued_at").execute();
    return rows.map((row) => ({
      serial: row.serial,
      akName: row.ak_name,
      ekSpkiHash: row.ek_spki_hash,
      vendor: row.vendor,
      der: Buffer.from(row.der),
      issuedAt: toNumber(row.issued_at),
    }));
  }

  async pruneSessions(before: number): Promise<number> {
    for (const [id, session] of this.#recentSessions) if (session.expiresAt < before) this.#recentSessions.delete(id);
    const result = await this.db.deleteFrom("attestation_sessions").where("expires_at", "<", before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * Opens the attestation store named by the service's `db` option (see parseDatabaseLocation; absent:
 * `<home>/attestation.sqlite`) and migrates its schema.
 */
export async function openAttestationStore(options: { home: string; db?: string | undefined }): Promise<AttestationStore> {
  const { kind, db } = await openDatabase(parseDatabaseLocation(options.db, options.home));
  return new KyselyAttestationStore(kind, db);
}
