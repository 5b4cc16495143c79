import { TPM_ALG, TPM_RH } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { SECRET_SIZE, flushHierarchyEverywhere } from "./change-seed.js";

/**
 * Part 3 §24.11 TPM2_ChangeEPS: a new endorsement primary seed and proof (so the EK changes), endorsement auth and
 * policy back to empty, the hierarchy enabled, and its loaded and persistent objects gone.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_PLATFORM).
 */
export const changeEps = defineCommand(
  "ChangeEPS",
  (tpm) => {
    tpm.state.endorsement = {
      seed: tpm.random(SECRET_SIZE),
      proof: tpm.random(SECRET_SIZE),
      authValue: Buffer.alloc(0),
      authPolicy: Buffer.alloc(0),
      authPolicyAlg: TPM_ALG.NULL,
    };
    tpm.state.ehEnable = true;
    flushHierarchyEverywhere(tpm, TPM_RH.ENDORSEMENT);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
