import { NO_RESPONSE, defineCommand } from "../registry.js";

/**
 * Part 3 §29.3 TPM2_ClockRateAdjust: a coarse, medium or fine step slower (-3…-1) or faster (1…3) of the rate at
 * which Clock advances against the host clock, bounded to ±5 % of nominal.
 * RCs: TPM_RC_VALUE (H1: not owner or platform; P1: not a TPM_CLOCK_ADJUST value).
 */
export const clockRateAdjust = defineCommand("ClockRateAdjust", (tpm, { params }) => {
  tpm.adjustClockRate(params.rateAdjust > 127 ? params.rateAdjust - 256 : params.rateAdjust);
  return NO_RESPONSE;
});
