import { HASH_ALGS, TPM_RC, TPM_RH, TpmError, hashDigest } from "../../../tpm2/index.js";
import { defineCommand } from "../registry.js";
import { isExtendAllowed } from "./pcr-attributes.js";
import { extendPcr } from "./pcr-banks.js";
import { checkPcrHandle } from "./pcr-handle.js";

/**
 * Part 3 §22.3 TPM2_PCR_Event: the event data is hashed with every implemented hash algorithm, each digest is
 * extended into its bank when that bank is allocated, and all the digests are returned (TPM_RH_NULL: hash only).
 * RCs: TPM_RC_VALUE (handle 1 is not a PCR), TPM_RC_LOCALITY (the PCR may not be extended from this locality).
 */
export const pcrEvent = defineCommand("PCR_Event", (tpm, { handles, params }) => {
  const pcr = handles[0]!;
  checkPcrHandle(pcr, 1, true);
  if (pcr !== TPM_RH.NULL && !isExtendAllowed(pcr, tpm.locality)) throw new TpmError(TPM_RC.LOCALITY);
  const digests = HASH_ALGS.map((hashAlg) => ({ hashAlg, digest: hashDigest(hashAlg, params.eventData) }));
  if (pcr !== TPM_RH.NULL) for (const { hashAlg, digest } of digests) extendPcr(tpm, pcr, hashAlg, digest);
  return { response: { digests } };
});
