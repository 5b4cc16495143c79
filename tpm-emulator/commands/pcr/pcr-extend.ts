import { TPM_ALG, TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { isExtendAllowed } from "./pcr-attributes.js";
import { extendPcr } from "./pcr-banks.js";
import { checkPcrHandle } from "./pcr-handle.js";

/**
 * Part 3 §22.2 TPM2_PCR_Extend: each digest is extended into the bank of its hash algorithm; a digest for a bank
 * that is not allocated is ignored, and TPM_RH_NULL extends nothing.
 * RCs: TPM_RC_VALUE (handle 1 is not a PCR), TPM_RC_HASH (parameter 1: a TPM_ALG_NULL digest),
 * TPM_RC_LOCALITY (the PCR may not be extended from this locality).
 */
export const pcrExtend = defineCommand("PCR_Extend", (tpm, { handles, params }) => {
  const pcr = handles[0]!;
  checkPcrHandle(pcr, 1, true);
  if (params.digests.some((d) => d.hashAlg === TPM_ALG.NULL)) throw paramError(TPM_RC.HASH, 1);
  if (pcr === TPM_RH.NULL) return NO_RESPONSE;
  if (!isExtendAllowed(pcr, tpm.locality)) throw new TpmError(TPM_RC.LOCALITY);
  for (const { hashAlg, digest } of params.digests) extendPcr(tpm, pcr, hashAlg, digest);
  return NO_RESPONSE;
});
