import { expect } from "chai";
import { DEFAULT_MAX_CLOCK_SKEW_MS, checkClockSkew } from "../../../attestation-service/checks/clock-skew.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/clock-skew", () => {
  const now = Date.UTC(2026, 0, 1);
  it("accepts a device clock within the allowed skew either way", () => {
    expect(() => checkClockSkew(now + DEFAULT_MAX_CLOCK_SKEW_MS, now, DEFAULT_MAX_CLOCK_SKEW_MS)).to.not.throw();
    expect(() => checkClockSkew(now - DEFAULT_MAX_CLOCK_SKEW_MS, now, DEFAULT_MAX_CLOCK_SKEW_MS)).to.not.throw();
  });
  it("refuses a device clock beyond it (CLOCK_SKEW)", async () => {
    await expectCode(() => checkClockSkew(now + DEFAULT_MAX_CLOCK_SKEW_MS + 1, now, DEFAULT_MAX_CLOCK_SKEW_MS), "CLOCK_SKEW");
    await expectCode(() => checkClockSkew(now - 3_600_000, now, DEFAULT_MAX_CLOCK_SKEW_MS), "CLOCK_SKEW");
  });
});
