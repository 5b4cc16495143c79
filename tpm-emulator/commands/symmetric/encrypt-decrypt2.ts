import { defineCommand } from "../registry.js";
import { encryptDecryptShared } from "./symmetric-cipher.js";

/**
 * Part 3 §15.3 TPM2_EncryptDecrypt2: TPM2_EncryptDecrypt with the data first, so that it can be an encrypted
 * session parameter.
 * RCs: those of {@link encryptDecryptShared}: TPM_RC_KEY / TPM_RC_ATTRIBUTES + H1, TPM_RC_MODE + P3,
 * TPM_RC_SIZE + P4 (ivIn), TPM_RC_SIZE + P1 (inData).
 */
export const encryptDecrypt2 = defineCommand("EncryptDecrypt2", (tpm, { handles, params }) => ({
  response: encryptDecryptShared(
    tpm,
    { keyHandle: handles[0]!, ...params },
    { inData: 1, decrypt: 2, mode: 3, ivIn: 4 },
  ),
}));
