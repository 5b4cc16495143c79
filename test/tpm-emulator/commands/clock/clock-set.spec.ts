import { expect } from "chai";
import { TPM_RC, TPM_RH, pw } from "../../../../tpm2/index.js";
import { atHandle, atParameter } from "../nv/support.js";
import { startedTpm } from "../session/support.js";

describe("TPM2_ClockSet / TPM2_ClockRateAdjust", () => {
  const clockOf = async (t: Awaited<ReturnType<typeof startedTpm>>) => (await t.client.run("ReadClock", { params: {} })).currentTime.clockInfo.clock;

  it("moves Clock forward; ReadClock then reports at least the new value", async () => {
    const t = await startedTpm();
    const target = (await clockOf(t)) + 3_600_000n;
    expect((await t.client.call("ClockSet", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newTime: target } })).rc).to.equal(TPM_RC.SUCCESS);
    const now = await clockOf(t);
    expect(now >= target && now < target + 60_000n).to.equal(true);
  });

  it("refuses to move Clock back or past 0xFFFF000000000000 (TPM_RC_VALUE + P1)", async () => {
    const t = await startedTpm();
    await t.client.run("ClockSet", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newTime: 10_000_000n } });
    expect((await t.client.call("ClockSet", { handles: [TPM_RH.OWNER], auths: [pw()], params: { newTime: 5n } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
    expect((await t.client.call("ClockSet", { handles: [TPM_RH.PLATFORM], auths: [pw()], params: { newTime: 0xffff000000000001n } })).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
  });

  it("needs owner or platform authorization (TPM_RC_VALUE + H1)", async () => {
    const t = await startedTpm();
    expect((await t.client.call("ClockSet", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: { newTime: 10n ** 12n } })).rc).to.equal(atHandle(TPM_RC.VALUE, 1));
  });

  it("ClockRateAdjust takes -3..3 and refuses anything else (TPM_RC_VALUE + P1)", async () => {
    const t = await startedTpm();
    const adjust = (rateAdjust: number) => t.client.call("ClockRateAdjust", { handles: [TPM_RH.OWNER], auths: [pw()], params: { rateAdjust } });
    expect((await adjust(0xfd)).rc).to.equal(TPM_RC.SUCCESS);
    expect(t.tpm.runtime.clockRateAdjust).to.equal(-3);
    expect((await adjust(4)).rc).to.equal(atParameter(TPM_RC.VALUE, 1));
  });

  it("ClockRateAdjust changes how fast Clock runs, by coarse, medium and fine steps, within ±5 %", async () => {
    const t = await startedTpm();
    const adjust = (rateAdjust: number) => t.client.run("ClockRateAdjust", { handles: [TPM_RH.OWNER], auths: [pw()], params: { rateAdjust } });
    const realNow = Date.now;
    let now = realNow();
    Date.now = () => now;
    try {
      /** Clock advance over 100 s of host time. */
      const advance = async () => {
        const before = await clockOf(t);
        now += 100_000;
        return Number((await clockOf(t)) - before);
      };
      expect(await advance()).to.equal(100_000);
      await adjust(3);
      expect(await advance()).to.equal(101_000);
      await adjust(0xfe);
      expect(await advance()).to.equal(100_900);
      await adjust(0xff);
      expect(await advance()).to.equal(100_896);
      for (let i = 0; i < 10; i++) await adjust(3);
      expect(await advance()).to.equal(105_000);
    } finally {
      Date.now = realNow;
    }
  });
});
