import { expect } from "chai";
import { TPM_SU } from "../../../../tpm2/index.js";
import { startedTpm, type StartedTpm } from "../session/support.js";

describe("TPM2_ReadClock", () => {
  async function readClock(t: StartedTpm) {
    return (await t.client.run("ReadClock", { params: {} })).currentTime;
  }

  it("reports Time, Clock and the reset and restart counts of the TPM", async () => {
    const t = await startedTpm();
    const first = await readClock(t);
    const state = t.tpm.runtime.state;
    expect(first.clockInfo).to.deep.include({ resetCount: state.resetCount, restartCount: state.restartCount, safe: true });
    const second = await readClock(t);
    expect(second.clockInfo.clock >= first.clockInfo.clock).to.equal(true);
    expect(second.time >= first.time).to.equal(true);
    expect(first.clockInfo.clock >= first.time).to.equal(true);
  });

  it("counts a TPM Restart in restartCount and a TPM Reset in resetCount", async () => {
    const t = await startedTpm();
    const before = (await readClock(t)).clockInfo;

    await t.client.run("Shutdown", { params: { shutdownType: TPM_SU.STATE } });
    t.tpm.reset();
    await t.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const restarted = (await readClock(t)).clockInfo;
    expect(restarted.restartCount).to.equal(before.restartCount + 1);
    expect(restarted.resetCount).to.equal(before.resetCount);

    await t.client.run("Shutdown", { params: { shutdownType: TPM_SU.CLEAR } });
    t.tpm.reset();
    await t.client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const reset = (await readClock(t)).clockInfo;
    expect(reset.resetCount).to.equal(before.resetCount + 1);
    expect(reset.restartCount).to.equal(0);
  });
});
