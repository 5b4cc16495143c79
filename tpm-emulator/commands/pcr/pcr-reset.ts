import { TPM_RC, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand } from "../registry.js";
import { isResetAllowed } from "./pcr-attributes.js";
import { notePcrChange } from "./pcr-banks.js";
import { checkPcrHandle } from "./pcr-handle.js";

/**
 * Part 3 §22.8 TPM2_PCR_Reset: the PCR goes back to zero in every allocated bank. At locality 0 only the PC Client
 * resettable PCRs 16 and 23 may be reset.
 * RCs: TPM_RC_VALUE (handle 1 is not a PCR), TPM_RC_LOCALITY (the PCR may not be reset from this locality).
 */
export const pcrReset = defineCommand("PCR_Reset", (tpm, { handles }) => {
  const pcr = handles[0]!;
  checkPcrHandle(pcr, 1, false);
  if (!isResetAllowed(pcr, tpm.locality)) throw new TpmError(TPM_RC.LOCALITY);
  for (const bank of tpm.pcrs.values()) {
    const old = bank[pcr];
    if (old) bank[pcr] = Buffer.alloc(old.length);
  }
  notePcrChange(tpm, pcr);
  return NO_RESPONSE;
});
