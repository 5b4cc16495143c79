import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §25.3 TPM2_DictionaryAttackParameters: maxTries (failures before lockout), recoveryTime (seconds per
 * forgotten failure; 0 disables DA protection) and lockoutRecovery (seconds lockoutAuth stays unusable after a
 * failure; 0: until the next TPM Reset). failedTries is left as it is (the errata removed its reset).
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_LOCKOUT).
 */
export const dictionaryAttackParameters = defineCommand(
  "DictionaryAttackParameters",
  (tpm, { params }) => {
    const da = tpm.state.da;
    da.maxTries = params.newMaxTries;
    da.recoveryTime = params.newRecoveryTime;
    da.lockoutRecovery = params.lockoutRecovery;
    return NO_RESPONSE;
  },
  { writesNv: true },
);
