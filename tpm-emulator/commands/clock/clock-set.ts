import { TPM_RC } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/** Part 3 §29.2: Clock may not be set beyond this. */
const CLOCK_MAX = 0xffff000000000000n;

/**
 * Part 3 §29.2 TPM2_ClockSet: Clock jumps forward to newTime (ms) and is saved to NV.
 * RCs: TPM_RC_VALUE (H1: not owner or platform; P1: newTime earlier than Clock, or above 0xFFFF000000000000).
 */
export const clockSet = defineCommand(
  "ClockSet",
  (tpm, { params }) => {
    const { newTime } = params;
    if (newTime > CLOCK_MAX || newTime < tpm.clock()) throw paramError(TPM_RC.VALUE, 1);
    tpm.setClock(newTime);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
