/**
 * Audit state (Part 1 §19.6.? session audit and §?? command audit; the reference's g_exclusiveAuditSession,
 * gp.auditHashAlg, gp.auditCounter, gr.commandAuditDigest and the command audit list), kept per TPM runtime.
 */
import { TPM_CC, hashDigest } from "../../../tpm2/index.js";
import { CONTEXT_HASH } from "../../context-blob.js";
import type { Tpm } from "../../tpm.js";

export interface AuditState {
  /** The exclusive audit session (Part 3 §?? TPMA_SESSION.auditExclusive), if any. */
  exclusiveSession: number | undefined;
  /** Hash of the command audit digest (TPM2_SetCommandCodeAuditStatus auditAlg). */
  hashAlg: number;
  /** The command audit digest; undefined while it is empty (the next audited command starts a new one). */
  digest: Buffer | undefined;
  /** The audit hash changed: the next audited command only empties the digest (the reference's size 1). */
  hashChanged: boolean;
  /** Incremented each time a new command audit digest starts. */
  counter: bigint;
  /** Codes of the audited commands. */
  commands: Set<number>;
}

const states = new WeakMap<Tpm, AuditState>();

/** The audit state of `tpm`; TPM2_SetCommandCodeAuditStatus is always audited (Part 3 §21.2). */
export function auditState(tpm: Tpm): AuditState {
  let s = states.get(tpm);
  if (!s) {
    s = {
      exclusiveSession: undefined,
      hashAlg: CONTEXT_HASH,
      digest: undefined,
      hashChanged: false,
      counter: 0n,
      commands: new Set([TPM_CC.SetCommandCodeAuditStatus]),
    };
    states.set(tpm, s);
  }
  return s;
}

/** Whether command `code` is in the command audit list. */
export function isCommandAudited(tpm: Tpm, code: number): boolean {
  return auditState(tpm).commands.has(code);
}

/** The audited command codes, ascending (TPM_CAP_PP_COMMANDS / TPM_CAP_AUDIT_COMMANDS order). */
export function auditedCommands(tpm: Tpm): number[] {
  return [...auditState(tpm).commands].sort((a, b) => a - b);
}

/** TPMS_COMMAND_AUDIT_INFO.commandDigest: the audit hash of the audited command codes as UINT32s, ascending. */
export function commandListDigest(tpm: Tpm): Buffer {
  const codes = auditedCommands(tpm).map((cc) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(cc);
    return b;
  });
  return hashDigest(auditState(tpm).hashAlg, ...codes);
}

/** auditDigest_new = H(auditDigest_old || cpHash || rpHash) (the reference's UpdateAuditDigest). */
export function extendAuditDigest(alg: number, digest: Uint8Array, cpHash: Uint8Array, rpHash: Uint8Array): Buffer {
  return hashDigest(alg, digest, cpHash, rpHash);
}
