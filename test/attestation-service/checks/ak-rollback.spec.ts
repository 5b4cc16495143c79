import { expect } from "chai";
import { checkAkRollback } from "../../../attestation-service/checks/ak-rollback.js";
import { expectCode } from "../support/expect-code.js";

describe("checks/ak-rollback", () => {
  const previous = { clock: 5_000n, resetCount: 10, restartCount: 2 };
  it("accepts a first attestation and any forward movement", () => {
    expect(() => checkAkRollback(undefined, previous)).to.not.throw();
    expect(() => checkAkRollback(previous, { ...previous, clock: 5_001n })).to.not.throw();
    expect(() => checkAkRollback(previous, { clock: 10n, resetCount: 11, restartCount: 0 })).to.not.throw();
    expect(() => checkAkRollback(previous, { clock: 4_000n, resetCount: 10, restartCount: 3 })).to.not.throw();
  });
  it("follows obfuscated counters across the 2^32 wrap", () => {
    const high = { clock: 1n, resetCount: 0xffffffff, restartCount: 0xffffffff };
    expect(() => checkAkRollback(high, { clock: 0n, resetCount: 0, restartCount: 5 })).to.not.throw();
  });
  it("refuses a clock, restartCount or resetCount that went back (AK_ROLLBACK)", async () => {
    await expectCode(() => checkAkRollback(previous, { ...previous, clock: 4_999n }), "AK_ROLLBACK");
    await expectCode(() => checkAkRollback(previous, { ...previous, restartCount: 1, clock: 9_999n }), "AK_ROLLBACK");
    await expectCode(() => checkAkRollback(previous, { clock: 9_999n, resetCount: 9, restartCount: 7 }), "AK_ROLLBACK");
    await expectCode(() => checkAkRollback({ ...previous, resetCount: 0 }, { ...previous, resetCount: 0xffffffff }), "AK_ROLLBACK");
  });
});
