import { expect } from "chai";
import { TpmConnectionError, TpmDevice, resubmitting } from "../../../agent/index.js";
import { TPM_CC, TPM_RC, TPM_SU, buildErrorResponse, type Transport } from "../../../tpm2/index.js";
import { TpmEmulator } from "../../../tpm-emulator/index.js";

const codeOf = (command: Uint8Array) => Buffer.from(command).readUInt32BE(6);

/** A transport that answers the first `count` commands with `rc` instead of passing them on, and logs codes. */
function injecting(inner: Transport, rc: number, count: number) {
  const log: number[] = [];
  let left = count;
  const transport: Transport = async (command) => {
    log.push(codeOf(command));
    if (left > 0) {
      left--;
      return buildErrorResponse(rc);
    }
    return inner(command);
  };
  return { transport, log };
}

describe("agent/tpm: resubmission and start-up (what a TSS does)", () => {
  let emulator: TpmEmulator;
  beforeEach(async () => {
    emulator = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 1) });
    await emulator.execute(Buffer.from("80010000000c000001440000", "hex"));
  });

  for (const [name, rc] of [["TPM_RC_RETRY", TPM_RC.RETRY], ["TPM_RC_TESTING", TPM_RC.TESTING], ["TPM_RC_YIELDED", TPM_RC.YIELDED]] as const) {
    it(`resubmits a command answered ${name}, backing off through the injected delay`, async () => {
      const { transport, log } = injecting((c) => emulator.execute(c), rc, 2);
      const delays: number[] = [];
      const device = TpmDevice.overTransport(transport, { resubmit: { delay: (ms) => (delays.push(ms), Promise.resolve()) } });
      const out = await device.client.run("GetRandom", { params: { bytesRequested: 8 } });
      expect(out.randomBytes).to.have.length(8);
      expect(log).to.deep.equal([TPM_CC.GetRandom, TPM_CC.GetRandom, TPM_CC.GetRandom]);
      expect(delays).to.deep.equal([20, 40]);
    });
  }

  it("stops after the bounded number of submissions and hands the TPM's answer to the caller", async () => {
    const { transport, log } = injecting((c) => emulator.execute(c), TPM_RC.RETRY, 100);
    const wrapped = resubmitting(transport, { maxSubmissions: 5, delay: () => Promise.resolve() });
    const device = TpmDevice.overTransport(wrapped, { resubmit: { maxSubmissions: 1 } });
    const out = await device.client.call("GetRandom", { params: { bytesRequested: 8 } });
    expect(out.rc).to.equal(TPM_RC.RETRY);
    expect(log).to.have.length(5);
  });

  it("sends Startup(CLEAR) once when the TPM answers TPM_RC_INITIALIZE, then the command again", async () => {
    const fresh = TpmEmulator.create({ vendor: "IFX", seed: Buffer.alloc(32, 2) });
    const log: number[] = [];
    const device = TpmDevice.overTransport((c) => (log.push(codeOf(c)), fresh.execute(c)));
    const out = await device.client.run("GetRandom", { params: { bytesRequested: 4 } });
    expect(out.randomBytes).to.have.length(4);
    expect(log).to.deep.equal([TPM_CC.GetRandom, TPM_CC.Startup, TPM_CC.GetRandom]);
    await device.client.run("GetRandom", { params: { bytesRequested: 4 } });
    expect(log).to.have.length(4);
  });

  it("lets the caller's own Startup see TPM_RC_INITIALIZE on a started TPM without looping", async () => {
    const log: number[] = [];
    const device = TpmDevice.overTransport((c) => (log.push(codeOf(c)), emulator.execute(c)));
    const out = await device.client.call("Startup", { params: { startupType: TPM_SU.CLEAR } });
    expect(out.rc).to.equal(TPM_RC.INITIALIZE);
    expect(log).to.deep.equal([TPM_CC.Startup]);
  });

  it("refuses a TPM 1.2 part (TPM_TAG_RSP_COMMAND) with NOT_TPM2", async () => {
    const device = TpmDevice.overTransport(() => Promise.resolve(Buffer.from("00c40000000a0000001e", "hex")));
    const error = await device.client.run("GetRandom", { params: { bytesRequested: 4 } }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TpmConnectionError).and.to.include({ code: "NOT_TPM2" });
  });
});
