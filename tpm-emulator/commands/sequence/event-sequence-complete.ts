import { TPM_RC, TPM_RH, TpmError } from "../../../tpm2/index.js";
import { keyAt } from "../../keys.js";
import { isExtendAllowed } from "../pcr/pcr-attributes.js";
import { extendPcr } from "../pcr/pcr-banks.js";
import { checkPcrHandle } from "../pcr/pcr-handle.js";
import { defineCommand, handleError } from "../registry.js";
import { endSequence, sequenceOf } from "./sequence-objects.js";

/**
 * Part 3 §17.6 TPM2_EventSequenceComplete: adds the last data to an event sequence, returns its digest for every
 * implemented hash, extends each into its allocated bank of pcrHandle (none for TPM_RH_NULL) and flushes the
 * sequence.
 * RCs: TPM_RC_VALUE + H1 (not a PCR), TPM_RC_VALUE + H2 (not an object), TPM_RC_MODE + H2 (not an event
 * sequence), TPM_RC_LOCALITY (the PCR may not be extended from this locality).
 */
export const eventSequenceComplete = defineCommand("EventSequenceComplete", (tpm, { handles, params }) => {
  const pcr = handles[0]!;
  const handle = handles[1]!;
  checkPcrHandle(pcr, 1, true);
  const object = keyAt(tpm, handle, 2);
  const sequence = sequenceOf(tpm, object);
  if (sequence?.kind !== "event") throw handleError(TPM_RC.MODE, 2);
  if (pcr !== TPM_RH.NULL && !isExtendAllowed(pcr, tpm.locality)) throw new TpmError(TPM_RC.LOCALITY);
  const results = sequence.hashes.map(({ hashAlg, hash }) => ({ hashAlg, digest: hash.update(params.buffer).digest() }));
  if (pcr !== TPM_RH.NULL) for (const { hashAlg, digest } of results) extendPcr(tpm, pcr, hashAlg, digest);
  endSequence(tpm, handle, object);
  return { response: { results } };
});
