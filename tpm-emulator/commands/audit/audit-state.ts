/**
 * Audit state (Part 1 §19.6.? session audit and command audit): the exclusive audit session is volatile (the
 * reference's g_exclusiveAuditSession); the command audit hash, counter, digest and list live in the persistent
 * state (gp.auditHashAlg, gp.auditCounter, gr.commandAuditDigest, gp.auditCommands), so they survive a restart.
 */
import { TPM_CC, hashDigest } from "../../../tpm2/index.js";
import type { CommandAuditRecord } from "../../state.js";
import type { Tpm } from "../../tpm.js";

export interface AuditState {
  /** The exclusive audit session (TPMA_SESSION.auditExclusive), if any. */
  exclusiveSession: number | undefined;
}

/** TPM2_SetCommandCodeAuditStatus is always audited (Part 3 §21.2). */
export const AUDITED_BY_DEFAULT: readonly number[] = [TPM_CC.SetCommandCodeAuditStatus];

const states = new WeakMap<Tpm, AuditState>();

/** The volatile audit state of `tpm`. */
export function auditState(tpm: Tpm): AuditState {
  let s = states.get(tpm);
  if (!s) {
    s = { exclusiveSession: undefined };
    states.set(tpm, s);
  }
  return s;
}

/** The command audit record of `tpm` (persistent). */
export function commandAudit(tpm: Tpm): CommandAuditRecord {
  return tpm.state.commandAudit;
}

/** Whether command `code` is in the command audit list. */
export function isCommandAudited(tpm: Tpm, code: number): boolean {
  return commandAudit(tpm).commands.includes(code);
}

/** The audited command codes, ascending (TPM_CAP_AUDIT_COMMANDS order). */
export function auditedCommands(tpm: Tpm): number[] {
  return [...commandAudit(tpm).commands].sort((a, b) => a - b);
}

/** Adds or removes command codes from the audit list (kept ascending). */
export function setAudited(tpm: Tpm, code: number, audited: boolean): void {
  const record = commandAudit(tpm);
  const others = record.commands.filter((c) => c !== code);
  record.commands = (audited ? [...others, code] : others).sort((a, b) => a - b);
}

/** TPMS_COMMAND_AUDIT_INFO.commandDigest: the audit hash of the audited command codes as UINT32s, ascending. */
export function commandListDigest(tpm: Tpm): Buffer {
  const codes = auditedCommands(tpm).map((cc) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(cc);
    return b;
  });
  return hashDigest(commandAudit(tpm).hashAlg, ...codes);
}

/** auditDigest_new = H(auditDigest_old || cpHash || rpHash) (the reference's UpdateAuditDigest). */
export function extendAuditDigest(alg: number, digest: Uint8Array, cpHash: Uint8Array, rpHash: Uint8Array): Buffer {
  return hashDigest(alg, digest, cpHash, rpHash);
}
