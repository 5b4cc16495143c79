import { resetDictionaryAttack } from "../../authorization.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §25.2 TPM2_DictionaryAttackLockReset: failedTries back to zero, so DA-protected entities can be used again.
 * RCs: TPM_RC_VALUE (H1: not TPM_RH_LOCKOUT); TPM_RC_LOCKOUT when lockoutAuth itself is locked out (dispatcher).
 */
export const dictionaryAttackLockReset = defineCommand(
  "DictionaryAttackLockReset",
  (tpm) => {
    resetDictionaryAttack(tpm);
    return NO_RESPONSE;
  },
  { writesNv: true },
);
