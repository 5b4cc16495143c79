import { expect } from "chai";
import { TPM_RC, TPM_SU, buildCommand } from "../../tpm2/index.js";
import { TpmEmulator, serveTpm, type TpmServer } from "../../tpm-emulator/index.js";
import { abuseFrames, type Protocol } from "./frame-abuse.js";
import { Fuzzer } from "./fuzzer.js";
import { InternalErrorCapture } from "./log-capture.js";
import { formatFailures, formatSummary } from "./report.js";
import { Rng, fuzzSeed } from "./rng.js";
import { Connection, mssimTarget, swtpmTarget, u32 } from "./socket-client.js";
import { FUZZ_TPM_SEED } from "./targets.js";

/** Per protocol: mutated commands in well-formed transport frames, then malformed frames on short connections. */
const FRAMED_INPUTS = 22_000;
const ABUSE_CASES = 3_000;

const getRandom8 = buildCommand(0x17b, [], [], Buffer.from([0, 8]));
const startupClear = buildCommand(0x144, [], [], Buffer.from([0, TPM_SU.CLEAR]));

async function honestCall(protocol: Protocol, port: number, command: Buffer): Promise<Buffer> {
  const c = await Connection.open(port);
  if (protocol === "swtpm") {
    c.write(command);
    const header = await c.read(10);
    const out = Buffer.concat([header, await c.read(header.readUInt32BE(2) - 10)]);
    c.destroy();
    return out;
  }
  c.write(Buffer.concat([u32(8), Buffer.from([0]), u32(command.length), command]));
  const response = await c.read((await c.read(4)).readUInt32BE(0));
  expect((await c.read(4)).readUInt32BE(0)).to.equal(0);
  c.destroy();
  return Buffer.from(response);
}

for (const protocol of ["swtpm", "mssim"] as const) {
  describe(`fuzzing the TPM over the ${protocol} socket protocol`, function () {
    // tens of thousands of loopback round trips; the bound is a hang guard, not a timing assertion
    this.timeout(240_000);
    const seed = fuzzSeed() ^ (protocol === "swtpm" ? 0x51 : 0x55);
    let tpm: TpmEmulator;
    let server: TpmServer;
    let capture: InternalErrorCapture;

    before(async () => {
      capture = new InternalErrorCapture().install();
      tpm = TpmEmulator.create({ seed: FUZZ_TPM_SEED });
      server = await serveTpm(tpm, { protocol, port: 0 });
    });
    after(async () => {
      capture.uninstall();
      await server.close();
    });

    it(`answers ${FRAMED_INPUTS.toLocaleString("en")} generated and mutated commands with well-formed responses`, async () => {
      const rng = new Rng(seed);
      const target = protocol === "swtpm" ? swtpmTarget(server.port, server.controlPort) : mssimTarget(server.port, server.controlPort, rng);
      try {
        const stats = await new Fuzzer(target, { seed, capture }).run(FRAMED_INPUTS);
        if (stats.failures.length > 0) expect.fail(`${formatFailures(stats.failures)}\n\n${formatSummary(stats, protocol)}`);
        expect(stats.successes).to.be.greaterThan(FRAMED_INPUTS / 10);
      } finally {
        target.close();
      }
    });

    it(`survives ${ABUSE_CASES.toLocaleString("en")} malformed frames and garbage on ${ABUSE_CASES.toLocaleString("en")} short connections`, async () => {
      const result = await abuseFrames(new Rng(seed + 1), protocol, server.port, server.controlPort, ABUSE_CASES);
      const shown = result.failures.slice(0, 5).map((f) => `${f.kind}: ${f.problem}\n  input ${f.inputHex}`);
      expect(result.failures, `FUZZ_SEED=${seed}\n${shown.join("\n")}`).to.deep.equal([]);
      expect(result.connections).to.equal(ABUSE_CASES);
      expect(capture.events, capture.events[0]?.line).to.deep.equal([]);
    });

    it("still answers an honest command on both ports afterwards", async () => {
      // the control/platform port first: it must answer, and it powers up a TPM that garbage may have turned off
      // or put in failure mode
      const control = await Connection.open(server.controlPort);
      if (protocol === "swtpm") {
        control.write(Buffer.concat([u32(2), u32(0)]));
        expect((await control.read(4)).readUInt32BE(0)).to.equal(0);
      } else {
        control.write(Buffer.concat([u32(2), u32(1)]));
        expect((await control.read(8)).equals(Buffer.alloc(8))).to.equal(true);
      }
      control.destroy();
      expect((await honestCall(protocol, server.port, startupClear)).readUInt32BE(6)).to.equal(TPM_RC.SUCCESS);
      const random = await honestCall(protocol, server.port, getRandom8);
      expect(random.readUInt32BE(6)).to.equal(TPM_RC.SUCCESS);
      expect(random.length).to.equal(10 + 2 + 8);
    });
  });
}
