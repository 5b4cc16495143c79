import { TPM_ALG, TPM_RC, TPM_SU } from "../../../tpm2/index.js";
import type { SavedState } from "../../state.js";
import { CommitLedger } from "../../ecc-commit.js";
import { applyNvStartup } from "../nv/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";

/**
 * Part 3 §9.3 TPM2_Startup. CLEAR after any shutdown is a TPM Reset (or a TPM Restart after Shutdown(STATE));
 * STATE resumes the PCRs saved by Shutdown(STATE) (TPM Resume).
 * RCs: TPM_RC_INITIALIZE (already started), TPM_RC_VALUE (STATE with no saved state), TPM_RC_LOCALITY.
 */
export const startup = defineCommand(
  "Startup",
  (tpm, { params }) => {
    const { startupType } = params;
    if (startupType !== TPM_SU.CLEAR && startupType !== TPM_SU.STATE) throw paramError(TPM_RC.VALUE, 1);
    const saved = tpm.state.savedState;
    if (startupType === TPM_SU.STATE && (!saved || !tpm.state.orderly)) throw paramError(TPM_RC.VALUE, 1);

    const kind = startupType === TPM_SU.STATE ? "resume" : saved && tpm.state.orderly ? "restart" : "reset";
    // Part 1 §37.? NV locks and CLEAR_STCLEAR / ORDERLY indices per kind of startup
    applyNvStartup(tpm.state, kind, tpm.state.orderly);
    if (startupType === TPM_SU.STATE && saved) {
      // TPM Resume: PCRs come back
      tpm.pcrs = new Map(Object.entries(saved.pcrs).map(([alg, banks]) => [Number(alg), banks.map((b) => Buffer.from(b))]));
      tpm.pcrUpdateCounter = saved.pcrUpdateCounter;
      tpm.state.restartCount++;
      tpm.resetVolatileObjectsOnly();
      tpm.commits = restoredCommits(saved);
    } else if (saved && tpm.state.orderly) {
      // TPM Restart: Shutdown(STATE) then Startup(CLEAR)
      tpm.state.restartCount++;
      tpm.resetPcrs();
      tpm.resetVolatileObjectsOnly();
      tpm.commits = restoredCommits(saved);
    } else {
      // TPM Reset
      tpm.state.resetCount++;
      tpm.state.restartCount = 0;
      tpm.resetPcrs();
      tpm.resetVolatile();
    }
    if (startupType === TPM_SU.CLEAR) {
      // Part 1 §14.?: Startup(CLEAR) enables the storage and endorsement hierarchies again (as libtpms does)
      tpm.state.shEnable = true;
      tpm.state.ehEnable = true;
      // platformAuth and platformPolicy are reset on every Startup(CLEAR)
      tpm.state.platform.authValue = Buffer.alloc(0);
      tpm.state.platform.authPolicy = Buffer.alloc(0);
      tpm.state.platform.authPolicyAlg = TPM_ALG.NULL;
    }
    tpm.state.savedState = undefined;
    tpm.state.orderly = false;
    tpm.started = true;
    return NO_RESPONSE;
  },
  { writesNv: true },
);

/** The commit state is state-reset data (the reference's gr): a TPM Restart or Resume brings it back. */
function restoredCommits(saved: SavedState): CommitLedger {
  return saved.commit ? CommitLedger.restore(saved.commit) : CommitLedger.fresh();
}
