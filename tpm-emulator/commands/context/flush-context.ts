import { TPM_HC, TPM_RC } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/**
 * Part 3 §28.4 TPM2_FlushContext: removes a transient object, or a loaded or saved session. The handle is a
 * parameter: TPMI_DH_CONTEXT, so persistent objects cannot be flushed (TPM2_EvictControl removes them).
 * RCs: TPM_RC_VALUE (not a transient or session handle of this TPM), TPM_RC_HANDLE (nothing there).
 */
export const flushContext = defineCommand("FlushContext", (tpm, { params }) => {
  const { flushHandle } = params;
  const top = flushHandle >>> 24;
  const index = flushHandle & TPM_HC.HR_HANDLE_MASK;
  if (top === 0x80) {
    if (index >= tpm.objects.capacity) throw paramError(TPM_RC.VALUE, 1);
    if (!tpm.objects.remove(flushHandle)) throw paramError(TPM_RC.HANDLE, 1);
    return NO_RESPONSE;
  }
  if (top !== 0x02 && top !== 0x03) throw paramError(TPM_RC.VALUE, 1);
  if (index >= tpm.sessions.capacity) throw paramError(TPM_RC.VALUE, 1);
  if (!tpm.sessions.removeSlot(flushHandle)) throw paramError(TPM_RC.HANDLE, 1);
  return NO_RESPONSE;
});
