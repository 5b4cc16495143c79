import { TPM_ALG, TPM_RH } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { SECRET_SIZE, flushHierarchyEverywhere } from "./change-seed.js";

/**
 * Part 3 §24.10 TPM2_ChangePPS: a new platform primary seed and proof (so platform primaries, tickets and saved
 * contexts die), platformPolicy back to empty, and the platform's objects and platform-created NV indices gone.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_PLATFORM).
 */
export const changePps = defineCommand(
  "ChangePPS",
  (tpm) => {
    const p = tpm.state.platform;
    tpm.state.platform = { ...p, seed: tpm.random(SECRET_SIZE), proof: tpm.random(SECRET_SIZE), authPolicy: Buffer.alloc(0), authPolicyAlg: TPM_ALG.NULL };
    flushHierarchyEverywhere(tpm, TPM_RH.PLATFORM);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
