/**
 * The attestation service's tables as Kysely sees them. Times are milliseconds since the epoch of the service
 * clock (PostgreSQL hands BIGINT back as text: the query layer converts). Byte columns are BLOB (SQLite) or
 * BYTEA (PostgreSQL), Buffers either way.
 */
/** One challenge handed out and awaiting its proof. */
export interface AttestationSessionsTable {
  /** Random, unguessable session id (base64url of 32 bytes). */
  id: string;
  /** Hex Name of the AK the credential is bound to. */
  ak_name: string;
  /** Hex SHA-256 of the EK's SubjectPublicKeyInfo. */
  ek_spki_hash: string;
  /** TPM vendor code (`IFX`, `INTC`, …). */
  vendor: string;
  nonce: Buffer;
  /** SHA-256 of the 32-byte credential secret (the secret itself is never stored). */
  secret_hash: Buffer;
  /** TPM2B_PUBLIC of the AK as the device sent it: verifies the quote and becomes the AIK certificate's key. */
  ak_public: Buffer;
  /** DER certificate of the CA that issued the EK certificate: selects the `<VENDOR>-KEYID-…` AIK CA. */
  ek_issuer_certificate: Buffer;
  /** JSON of the TPM facts the AIK certificate and the token state ({@link SessionTpmFacts}). */
  tpm: string;
  /** TPML_PCR_SELECTION the quote must cover. */
  pcr_selection: Buffer;
  created_at: number | string;
  expires_at: number | string;
  used_at: number | string | null;
}

/** Every AIK certificate issued. */
export interface IssuedCertificatesTable {
  /** Hex serial number. */
  serial: string;
  ak_name: string;
  ek_spki_hash: string;
  vendor: string;
  der: Buffer;
  issued_at: number | string;
}

/** The last clock and counters each AK reported (rollback detection). */
export interface AkHistoryTable {
  ak_name: string;
  /** TPMS_CLOCK_INFO.clock, a UINT64 as decimal text (beyond the range of a JS number and of SQLite's INTEGER). */
  clock: string;
  reset_count: number | string;
  restart_count: number | string;
  updated_at: number | string;
}

/** The database the service's queries are typed against. */
export interface AttestationDatabase {
  attestation_sessions: AttestationSessionsTable;
  issued_certificates: IssuedCertificatesTable;
  ak_history: AkHistoryTable;
}

