import { defineCommand } from "../registry.js";
import { encryptDecryptShared } from "./symmetric-cipher.js";

/**
 * Part 3 §15.2 TPM2_EncryptDecrypt: AES encryption or decryption with a SYMCIPHER key in CFB, CBC, CTR, OFB or
 * ECB mode, returning the chaining value to continue with.
 * RCs: those of {@link encryptDecryptShared}: TPM_RC_KEY / TPM_RC_ATTRIBUTES + H1, TPM_RC_MODE + P2,
 * TPM_RC_SIZE + P3 (ivIn), TPM_RC_SIZE + P4 (inData).
 */
export const encryptDecrypt = defineCommand("EncryptDecrypt", (tpm, { handles, params }) => ({
  response: encryptDecryptShared(
    tpm,
    { keyHandle: handles[0]!, ...params },
    { decrypt: 1, mode: 2, ivIn: 3, inData: 4 },
  ),
}));
