import { TPM_CC, TPM_RC } from "../../../tpm2/index.js";
import { NO_RESPONSE, defineCommand, paramError } from "../registry.js";
import { policySessionAt } from "./policy-session.js";
import { extendPolicy } from "./policy-update.js";

/** TPMA_LOCALITY bits of the five ordinary localities. */
const ALL_LOCALITIES = 0x1f;

/**
 * Part 3 §23.8 TPM2_PolicyLocality: the session may only authorize at the given localities (TPMA_LOCALITY bits, or
 * one extended locality ≥ 32); a second call narrows the set. Digest: H(old || TPM_CC_PolicyLocality || locality).
 * RCs: TPM_RC_VALUE (handle 1 not a policy session), TPM_RC_RANGE (P1: no locality left, or ordinary and extended
 * localities mixed, or a different extended locality).
 */
export const policyLocality = defineCommand("PolicyLocality", (tpm, { handles, params }) => {
  const session = policySessionAt(tpm, handles[0]!, 1);
  const requested = params.locality;
  let setting = session.commandLocality ?? 0;
  if (setting !== 0 && setting < 32 !== requested < 32) throw paramError(TPM_RC.RANGE, 1);
  if (requested < 32) {
    if (setting === 0) setting = ALL_LOCALITIES;
    setting &= requested;
    if (setting === 0) throw paramError(TPM_RC.RANGE, 1);
  } else {
    if (setting !== 0 && setting !== requested) throw paramError(TPM_RC.RANGE, 1);
    setting = requested;
  }
  extendPolicy(session, TPM_CC.PolicyLocality, Uint8Array.of(requested));
  session.commandLocality = setting;
  return NO_RESPONSE;
});
