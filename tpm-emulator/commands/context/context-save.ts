import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import {
  SAVED_OBJECT,
  SAVED_STCLEAR_OBJECT,
  encodeObjectContext,
  encodeSessionContext,
  nextObjectSequence,
  sealContext,
} from "../../context-blob.js";
import { isStClear } from "../../object-create.js";
import type { Tpm } from "../../tpm.js";
import { defineCommand, handleError } from "../registry.js";

/**
 * Part 1 §30: session contexts are numbered from one counter, and the oldest saved one must stay
 * distinguishable from the next (TPM_PT_CONTEXT_GAP_MAX, 0xFFFF on libtpms).
 */
export const MAX_CONTEXT_GAP = 0xffffn;

function oldestSavedSession(tpm: Tpm): bigint | undefined {
  let oldest: bigint | undefined;
  for (const h of tpm.sessions.handles((s) => s.savedSequence !== undefined)) {
    const seq = tpm.sessions.slot(h)?.savedSequence;
    if (seq !== undefined && (oldest === undefined || seq < oldest)) oldest = seq;
  }
  return oldest;
}

/**
 * Part 3 §28.2 TPM2_ContextSave: the context of a transient object (which stays loaded) or of a session (whose
 * handle stays reserved, now "saved", until its context is loaded back or flushed).
 * RCs: TPM_RC_VALUE (handle 1 neither transient object nor session), TPM_RC_CONTEXT_GAP.
 */
export const contextSave = defineCommand("ContextSave", (tpm, { handles }) => {
  const saveHandle = handles[0]!;
  const top = saveHandle >>> 24;
  if (top === 0x80) {
    const object = tpm.requireObject(saveHandle);
    const header = {
      sequence: nextObjectSequence(tpm),
      savedHandle: isStClear(object) ? SAVED_STCLEAR_OBJECT : SAVED_OBJECT,
      hierarchy: object.hierarchy,
    };
    return { response: { context: sealContext(tpm, header, encodeObjectContext(object)) } };
  }
  if (top !== 0x02 && top !== 0x03) throw handleError(TPM_RC.VALUE, 1);
  const slot = tpm.sessions.slot(saveHandle);
  if (!slot || slot.savedSequence !== undefined) throw handleError(TPM_RC.HANDLE, 1);
  const oldest = oldestSavedSession(tpm);
  if (oldest !== undefined && tpm.contextCounter - oldest >= MAX_CONTEXT_GAP) throw new TpmError(TPM_RC.CONTEXT_GAP);

  const header = { sequence: tpm.contextCounter, savedHandle: saveHandle, hierarchy: TPM_RH.NULL };
  const context = sealContext(tpm, header, encodeSessionContext(slot.session));
  tpm.contextCounter += 1n;
  slot.savedSequence = header.sequence;
  return { response: { context } };
});
