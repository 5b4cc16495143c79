/**
 * TPM2_GetCapability(TPM_CAP_HANDLES) (Part 3 §30.2): the handles of one type, from the requested handle on, in
 * ascending order. Saved sessions are listed by their HMAC-range handle, as the reference implementation does.
 */
import { TPM_HC, TPM_HT, TPM_RC, TPM_RH } from "../../../tpm2/index.js";
import { PCR_COUNT, type Tpm } from "../../tpm.js";
import { paramError } from "../registry.js";

/** The permanent handles this TPM implements (TPM_RS_PW included: it is a valid handle in the authorization area). */
const PERMANENT_HANDLES: readonly number[] = [
  TPM_RH.OWNER,
  TPM_RH.NULL,
  TPM_RH.PW,
  TPM_RH.LOCKOUT,
  TPM_RH.ENDORSEMENT,
  TPM_RH.PLATFORM,
  TPM_RH.PLATFORM_NV,
];

const ascending = (a: number, b: number) => a - b;

/** Slot index of a session handle: its low 24 bits. */
function slotOf(handle: number): number {
  return handle & TPM_HC.HR_HANDLE_MASK;
}

/**
 * Every existing handle of the type of `start`, from `start` on, ascending.
 * @throws TpmError TPM_RC_HANDLE on parameter 2 for a handle type that has no list.
 */
export function handlesFrom(tpm: Tpm, start: number): number[] {
  switch (start >>> 24) {
    case TPM_HT.PCR:
      return Array.from({ length: PCR_COUNT }, (_, i) => i).filter((h) => h >= start);
    case TPM_HT.NV_INDEX:
      return tpm.state.nv.map((n) => n.public.nvIndex).filter((h) => h >= start).sort(ascending);
    case TPM_HT.LOADED_SESSION:
      return tpm.sessions
        .handles((s) => s.savedSequence === undefined)
        .filter((h) => slotOf(h) >= slotOf(start))
        .sort((a, b) => slotOf(a) - slotOf(b));
    case TPM_HT.SAVED_SESSION:
      return tpm.sessions
        .handles((s) => s.savedSequence !== undefined)
        .map((h) => (TPM_HC.HMAC_SESSION_FIRST + slotOf(h)) >>> 0)
        .filter((h) => slotOf(h) >= slotOf(start))
        .sort(ascending);
    case TPM_HT.PERMANENT:
      return PERMANENT_HANDLES.filter((h) => h >= start);
    case TPM_HT.TRANSIENT:
      return tpm.objects.handles().filter((h) => h >= start).sort(ascending);
    case TPM_HT.PERSISTENT:
      return [...tpm.persistentObjects.keys()].filter((h) => h >= start).sort(ascending);
    default:
      throw paramError(TPM_RC.HANDLE, 2);
  }
}
