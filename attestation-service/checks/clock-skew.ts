import { ProtocolError } from "../../protocol/index.js";

/** Default largest difference between a device's clock and the service's (reference §1.1: "several minutes"). */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Refuses a device whose wall clock differs from the service clock by more than `maxSkewMs` either way: Windows
 * Autopilot attestation fails on devices whose real-time clock is off by several minutes (memdocs known-issues).
 * @throws ProtocolError CLOCK_SKEW
 */
export function checkClockSkew(deviceTime: number, serviceTime: number, maxSkewMs: number): void {
  const skew = deviceTime - serviceTime;
  if (Math.abs(skew) > maxSkewMs) {
    throw new ProtocolError("CLOCK_SKEW", `device clock is ${Math.round(skew / 1000)} s off (at most ${Math.round(maxSkewMs / 1000)} s allowed)`);
  }
}
