import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import {
  SAVED_OBJECT,
  SAVED_SEQUENCE,
  SAVED_STCLEAR_OBJECT,
  decodeObjectContext,
  decodeSessionContext,
  openContext,
} from "../../context-blob.js";
import { markStClear } from "../../object-create.js";
import type { Tpm } from "../../tpm.js";
import { defineCommand, paramError } from "../registry.js";

const HIERARCHIES: ReadonlySet<number> = new Set([TPM_RH.OWNER, TPM_RH.ENDORSEMENT, TPM_RH.PLATFORM, TPM_RH.NULL]);

/** TPMI_DH_SAVED (Part 2): a session handle of this TPM, or one of the three object markers. */
function isSavedHandle(tpm: Tpm, handle: number): boolean {
  const top = handle >>> 24;
  if (top === 0x02 || top === 0x03) return (handle & 0xffffff) < tpm.sessions.capacity;
  return handle === SAVED_OBJECT || handle === SAVED_SEQUENCE || handle === SAVED_STCLEAR_OBJECT;
}

/**
 * Part 3 §28.3 TPM2_ContextLoad: an object context comes back in a new transient slot; a session context comes
 * back in its own handle, once, and only while that handle is saved with this very sequence number.
 * RCs (all on parameter 1 unless said): TPM_RC_VALUE (savedHandle or hierarchy not allowed), TPM_RC_SIZE,
 * TPM_RC_INTEGRITY (tampered blob, changed hierarchy proof, stClear object after TPM Reset/Restart),
 * TPM_RC_HIERARCHY (the object's hierarchy is disabled), TPM_RC_HANDLE (session not saved under this sequence:
 * loaded already, flushed, or an older context), TPM_RC_INSUFFICIENT (no parameter), TPM_RC_OBJECT_MEMORY.
 */
export const contextLoad = defineCommand("ContextLoad", (tpm, { params }) => {
  const { context } = params;
  if (!isSavedHandle(tpm, context.savedHandle) || !HIERARCHIES.has(context.hierarchy)) {
    throw paramError(TPM_RC.VALUE, 1);
  }
  const payload = openContext(tpm, context);

  if (context.savedHandle >>> 24 === 0x80) {
    if (!tpm.hierarchy(context.hierarchy)?.enabled) throw paramError(TPM_RC.HIERARCHY, 1);
    if (tpm.objects.free === 0) throw new TpmError(TPM_RC.OBJECT_MEMORY);
    const object = decodeObjectContext(payload);
    if (context.savedHandle === SAVED_STCLEAR_OBJECT) markStClear(object);
    return { handle: tpm.objects.add(object), response: {} };
  }

  const slot = tpm.sessions.slot(context.savedHandle);
  if (!slot || slot.savedSequence !== context.sequence) throw paramError(TPM_RC.HANDLE, 1);
  // restore into the slot's own session object: state other modules keep per session (keyed by it) stays valid
  Object.assign(slot.session, decodeSessionContext(payload));
  slot.savedSequence = undefined;
  return { handle: context.savedHandle, response: {} };
});
