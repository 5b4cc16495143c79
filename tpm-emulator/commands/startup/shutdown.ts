import { TPM_RC, TPM_SU } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/**
 * Part 3 §9.4 TPM2_Shutdown: STATE saves the PCRs (and the commit state) for a later Startup; both mark the shutdown
 * orderly.
 * RCs: TPM_RC_VALUE (bad shutdownType).
 */
export const shutdown = defineCommand(
  "Shutdown",
  (tpm, { params }) => {
    const { shutdownType } = params;
    if (shutdownType !== TPM_SU.CLEAR && shutdownType !== TPM_SU.STATE) throw paramError(TPM_RC.VALUE, 1);
    tpm.state.savedState =
      shutdownType === TPM_SU.STATE
        ? {
            pcrs: Object.fromEntries([...tpm.pcrs].map(([alg, bank]) => [String(alg), bank.map((b) => Buffer.from(b))])),
            pcrUpdateCounter: tpm.pcrUpdateCounter,
            commit: tpm.commits.record(),
          }
        : undefined;
    tpm.state.orderly = true;
    return NO_RESPONSE;
  },
  { writesNv: true },
);
