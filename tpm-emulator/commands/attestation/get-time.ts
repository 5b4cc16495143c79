import { TPM_RC, TPM_RH, TPM_ST } from "../../../tpm2/index.js";
import { produceAttestation } from "../../attest.js";
import { isSigningObject, selectSignScheme, signerAt } from "../../keys.js";
import { clockInfo } from "../clock/clock-info.js";
import { defineCommand, handleError } from "../registry.js";

/**
 * Part 3 §18.7 TPM2_GetTime: Time, the clock information and the firmware version in a signed TPMS_ATTEST. The
 * privacy administrator (the endorsement hierarchy) authorizes it, so the TPMS_TIME_ATTEST_INFO carries them in
 * clear even when the outer clockInfo and firmwareVersion are obfuscated for a signer outside the endorsement and
 * platform hierarchies (Part 3 §18.1).
 * RCs: TPM_RC_VALUE + H1 (not TPM_RH_ENDORSEMENT), TPM_RC_VALUE + H2 (not an object), TPM_RC_KEY + H2 (not a
 * signing key), TPM_RC_SCHEME + P2 (scheme incompatible with the key, or both NULL), signing codes.
 */
export const getTime = defineCommand("GetTime", (tpm, { handles, params }) => {
  if (handles[0] !== TPM_RH.ENDORSEMENT) throw handleError(TPM_RC.VALUE, 1);
  const signer = signerAt(tpm, handles[1]!, 2);
  if (!isSigningObject(signer)) throw handleError(TPM_RC.KEY, 2);
  const scheme = selectSignScheme(signer, params.inScheme, 2);
  const state = tpm.state;
  const firmwareVersion = (BigInt(state.identity.firmwareVersion1 >>> 0) << 32n) | BigInt(state.identity.firmwareVersion2 >>> 0);
  const attested = { time: { time: tpm.time(), clockInfo: clockInfo(tpm) }, firmwareVersion };
  const { attestBytes, signature } = produceAttestation(tpm, signer, scheme, params.qualifyingData, {
    type: TPM_ST.ATTEST_TIME,
    attested,
  });
  return { response: { timeInfo: attestBytes, signature } };
});
