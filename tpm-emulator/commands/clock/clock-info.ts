import type { TPMS_CLOCK_INFO } from "../../../tpm2/index.js";
import type { Tpm } from "../../tpm.js";

/**
 * TPMS_CLOCK_INFO (Part 2 §10.11.1) as the TPM reports it: Clock, the reset and restart counts, and Safe.
 * Safe is always YES: the runtime keeps no record of a Clock value reported but not yet saved to NV.
 */
export function clockInfo(tpm: Tpm): TPMS_CLOCK_INFO {
  return {
    clock: tpm.clock(),
    resetCount: tpm.state.resetCount,
    restartCount: tpm.state.restartCount,
    safe: true,
  };
}
