import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §29.3 TPM2_ClockRateAdjust: a coarse, medium or fine step slower (-3…-1) or faster (1…3). The emulated
 * Clock follows the host clock, so the request is recorded and otherwise has no effect.
 * RCs: TPM_RC_VALUE (H1: not owner or platform; P1: not a TPM_CLOCK_ADJUST value).
 */
export const clockRateAdjust = defineCommand("ClockRateAdjust", (tpm, { params }) => {
  tpm.clockRateAdjust = params.rateAdjust > 127 ? params.rateAdjust - 256 : params.rateAdjust;
  return NO_RESPONSE;
});
