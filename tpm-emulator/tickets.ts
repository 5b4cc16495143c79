/**
 * Tickets (Part 2 §10.7): HMACs keyed with a hierarchy's proof value, by which the TPM later recognises data it
 * produced itself — creation data (TPM2_CertifyCreation), a digest of data that did not start with TPM_GENERATED
 * (TPM2_Sign with a restricted key), a verified signature (TPM2_PolicyAuthorize) and a policy authorization
 * (TPM2_PolicyTicket). A ticket is only as good as the proof: it dies with TPM2_Clear (owner), a TPM Reset (null
 * hierarchy) or a change of the seed.
 */
import { timingSafeEqual } from "node:crypto";
import {
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_ST,
  TpmError,
  hmac,
  type TPMT_TK_AUTH,
  type TPMT_TK_CREATION,
  type TPMT_TK_HASHCHECK,
  type TPMT_TK_VERIFIED,
} from "../tpm2/index.js";
import type { Tpm } from "./tpm.js";

/**
 * The HMAC of every ticket: the context integrity hash (libtpms reports SHA-512 as TPM_PT_CONTEXT_HASH, so its
 * tickets carry 64-byte digests).
 */
export const TICKET_HASH_ALG = TPM_ALG.SHA512;

/** The hierarchies a ticket can name (TPMI_RH_HIERARCHY+). */
const TICKET_HIERARCHIES: ReadonlySet<number> = new Set([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL]);

/** True when `hierarchy` is a value a ticket's hierarchy field may hold (TPMI_RH_HIERARCHY+ unmarshal). */
export function isTicketHierarchy(hierarchy: number): boolean {
  return TICKET_HIERARCHIES.has(hierarchy);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
}

/** HierarchyGetProof: the proof value of a hierarchy (the null hierarchy's changes on every TPM Reset). */
function proofOf(tpm: Tpm, hierarchy: number): Uint8Array {
  const h = isTicketHierarchy(hierarchy) ? tpm.hierarchy(hierarchy) : undefined;
  if (!h) throw new TpmError(TPM_RC.VALUE, { message: `0x${hierarchy.toString(16)} is not a hierarchy` });
  return h.record.proof;
}

function ticketHmac(tpm: Tpm, hierarchy: number, ...parts: Uint8Array[]): Buffer {
  return hmac(TICKET_HASH_ALG, proofOf(tpm, hierarchy), ...parts);
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A NULL Ticket (Part 2 §10.7.1): hierarchy TPM_RH_NULL and an empty digest. */
export function nullTicket<T extends number>(tag: T): { tag: T; hierarchy: number; digest: Buffer } {
  return { tag, hierarchy: TPM_RH.NULL, digest: Buffer.alloc(0) };
}

/**
 * Creation ticket (Part 2 §10.7.3), returned by TPM2_Create and TPM2_CreatePrimary:
 * HMAC(proof(hierarchy), TPM_ST_CREATION ‖ objectName ‖ creationHash).
 * @param hierarchy the hierarchy of the new object (of the primary's hierarchy handle, or of the parent).
 * @throws TpmError TPM_RC_VALUE when `hierarchy` is not a hierarchy.
 */
export function creationTicket(
  tpm: Tpm,
  hierarchy: number,
  creationHash: Uint8Array,
  objectName: Uint8Array,
): TPMT_TK_CREATION {
  return {
    tag: TPM_ST.CREATION,
    hierarchy,
    digest: ticketHmac(tpm, hierarchy, u16(TPM_ST.CREATION), objectName, creationHash),
  };
}

/** Whether this TPM issued `ticket` for this object and creation hash (TPM2_CertifyCreation's check). */
export function isCreationTicketValid(
  tpm: Tpm,
  ticket: TPMT_TK_CREATION,
  creationHash: Uint8Array,
  objectName: Uint8Array,
): boolean {
  if (ticket.tag !== TPM_ST.CREATION || !isTicketHierarchy(ticket.hierarchy)) return false;
  return sameDigest(creationTicket(tpm, ticket.hierarchy, creationHash, objectName).digest, ticket.digest);
}

/**
 * Hash-check ticket (Part 2 §10.7.6), returned by TPM2_Hash for data that does not start with TPM_GENERATED:
 * HMAC(proof(hierarchy), TPM_ST_HASHCHECK ‖ hashAlg ‖ digest), as the reference code's TicketComputeHashCheck.
 * @throws TpmError TPM_RC_VALUE when `hierarchy` is not a hierarchy.
 */
export function hashcheckTicket(tpm: Tpm, hierarchy: number, hashAlg: number, digest: Uint8Array): TPMT_TK_HASHCHECK {
  return {
    tag: TPM_ST.HASHCHECK,
    hierarchy,
    digest: ticketHmac(tpm, hierarchy, u16(TPM_ST.HASHCHECK), u16(hashAlg), digest),
  };
}

/** Whether `ticket` proves `digest` (of `hashAlg`) was computed by this TPM over safe data (TPM2_Sign's check). */
export function isHashcheckTicketValid(
  tpm: Tpm,
  ticket: TPMT_TK_HASHCHECK,
  hashAlg: number,
  digest: Uint8Array,
): boolean {
  if (ticket.tag !== TPM_ST.HASHCHECK || !isTicketHierarchy(ticket.hierarchy)) return false;
  return sameDigest(hashcheckTicket(tpm, ticket.hierarchy, hashAlg, digest).digest, ticket.digest);
}

/**
 * Verified ticket (Part 2 §10.7.4), returned by TPM2_VerifySignature:
 * HMAC(proof(hierarchy), TPM_ST_VERIFIED ‖ digest ‖ keyName).
 * @throws TpmError TPM_RC_VALUE when `hierarchy` is not a hierarchy.
 */
export function verifiedTicket(tpm: Tpm, hierarchy: number, digest: Uint8Array, keyName: Uint8Array): TPMT_TK_VERIFIED {
  return {
    tag: TPM_ST.VERIFIED,
    hierarchy,
    digest: ticketHmac(tpm, hierarchy, u16(TPM_ST.VERIFIED), digest, keyName),
  };
}

/** Whether `ticket` proves this TPM verified a signature over `digest` by the key named `keyName`. */
export function isVerifiedTicketValid(
  tpm: Tpm,
  ticket: TPMT_TK_VERIFIED,
  digest: Uint8Array,
  keyName: Uint8Array,
): boolean {
  if (ticket.tag !== TPM_ST.VERIFIED || !isTicketHierarchy(ticket.hierarchy)) return false;
  return sameDigest(verifiedTicket(tpm, ticket.hierarchy, digest, keyName).digest, ticket.digest);
}

/** What an authorization ticket (TPM2_PolicySigned / TPM2_PolicySecret with an expiration) binds. */
export interface AuthTicketInput {
  /** TPM_ST_AUTH_SIGNED or TPM_ST_AUTH_SECRET. */
  tag: number;
  hierarchy: number;
  /** The absolute expiry time (TPM time, ms); 0 for none. */
  timeout: bigint;
  /** The ticket dies at the next TPM Reset (a timeout counted from the current reset). */
  expiresOnReset: boolean;
  cpHash: Uint8Array;
  policyRef: Uint8Array;
  /** Name of the authorizing entity (the key of PolicySigned, the object of PolicySecret). */
  authName: Uint8Array;
}

/**
 * Authorization ticket (Part 2 §10.7.5), as the reference code's TicketComputeAuth:
 * HMAC(proof, tag ‖ cpHash ‖ policyRef ‖ authName ‖ timeout [‖ resetCount (UINT64) ‖ expiresOnReset, when timeout ≠ 0]).
 * @throws TpmError TPM_RC_VALUE when `hierarchy` is not a hierarchy.
 */
export function authTicket(tpm: Tpm, input: AuthTicketInput): TPMT_TK_AUTH {
  const parts: Uint8Array[] = [u16(input.tag), input.cpHash, input.policyRef, input.authName, u64(input.timeout)];
  if (input.timeout !== 0n) parts.push(u64(BigInt(tpm.state.resetCount)), Uint8Array.of(input.expiresOnReset ? 1 : 0));
  return { tag: input.tag, hierarchy: input.hierarchy, digest: ticketHmac(tpm, input.hierarchy, ...parts) };
}

/** Whether `ticket` is the authorization ticket this TPM issued for `input` (TPM2_PolicyTicket's check). */
export function isAuthTicketValid(tpm: Tpm, ticket: TPMT_TK_AUTH, input: Omit<AuthTicketInput, "hierarchy" | "tag">): boolean {
  if ((ticket.tag !== TPM_ST.AUTH_SIGNED && ticket.tag !== TPM_ST.AUTH_SECRET) || !isTicketHierarchy(ticket.hierarchy)) {
    return false;
  }
  const expected = authTicket(tpm, { ...input, tag: ticket.tag, hierarchy: ticket.hierarchy });
  return sameDigest(expected.digest, ticket.digest);
}
