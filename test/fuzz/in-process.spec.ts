import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  COMMANDS,
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_SU,
  TPMA_OBJECT,
  TpmClient,
  akTemplate,
  buildErrorResponse,
  pw,
  unmarshal,
  TPMS_ATTEST,
} from "../../tpm2/index.js";
import { createLogger } from "../../lib/index.js";
import { TpmEmulator } from "../../tpm-emulator/index.js";
import { verifiesWithNode } from "../tpm-emulator/commands/key-fixture.js";
import { Fuzzer, type FuzzTarget } from "./fuzzer.js";
import { INTERNAL_ERROR_MESSAGE, InternalErrorCapture } from "./log-capture.js";
import { formatFailures, formatSummary } from "./report.js";
import { fuzzSeed } from "./rng.js";
import { FUZZ_TPM_SEED, inProcessTarget } from "./targets.js";

const INPUTS = 100_000;
const EMPTY = Buffer.alloc(0);

describe("fuzzing the TPM in process", function () {
  // 100,000 inputs take about half a minute on one core; the bound is a hang guard, not a timing assertion
  this.timeout(240_000);
  const seed = fuzzSeed();
  let dir: string;
  let capture: InternalErrorCapture;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "apsim-fuzz-"));
    capture = new InternalErrorCapture().install();
  });
  after(() => {
    capture.uninstall();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sees the emulator's internal-error log events (else the fuzz could not catch them)", () => {
    expect(capture.selfTest(), "no error-level log reached the capture: is APSIM_LOG_LEVEL above error?").to.equal(true);
  });

  it("catches what it must: a malformed response, an exception and a logged internal error fail the run", async () => {
    const tpm = TpmEmulator.create({ seed: FUZZ_TPM_SEED });
    const honest = inProcessTarget(tpm);
    let n = 0;
    const broken: FuzzTarget = {
      powerCycle: () => honest.powerCycle(),
      send: async (command) => {
        const out = (await honest.send(command)) as Uint8Array;
        n++;
        if (n === 40) return Buffer.concat([out, Buffer.from([0])]);
        if (n === 41) throw new Error("escaped");
        if (n === 42) {
          createLogger("tpm-emulator").error({ err: new Error("boom") }, INTERNAL_ERROR_MESSAGE);
          return buildErrorResponse(TPM_RC.FAILURE);
        }
        return out;
      },
    };
    const stats = await new Fuzzer(broken, { seed, capture }).run(60);
    const problems = stats.failures.map((f) => f.problem);
    expect(problems.some((p) => p.includes("size field"))).to.equal(true);
    expect(problems).to.include("escaped");
    expect(problems.some((p) => p.startsWith("internal error logged"))).to.equal(true);
    expect(stats.failures[0]!.inputHex).to.match(/^[0-9a-f]{20,}$/);
  });

  it(`answers ${INPUTS.toLocaleString("en")} generated and mutated inputs with well-formed responses and no internal error`, async () => {
    const tpm = TpmEmulator.create({ seed: FUZZ_TPM_SEED, stateDir: dir });
    const fuzzer = new Fuzzer(inProcessTarget(tpm), { seed, capture });
    const stats = await fuzzer.run(INPUTS);
    if (stats.failures.length > 0) expect.fail(`${formatFailures(stats.failures)}\n\n${formatSummary(stats, "in-process")}`);
    expect(stats.inputs).to.be.at.least(INPUTS);
    // the generator must reach the handlers, not only the parsers: many successes, across most commands
    expect(stats.successes).to.be.greaterThan(INPUTS / 10);
    expect(stats.commandsSucceeded.size).to.be.greaterThan(Object.keys(COMMANDS).length / 2);
    expect(stats.mutated).to.be.greaterThan(INPUTS / 3);
    tpm.save();
  });

  it("leaves a state directory that reloads and still serves honest commands", async () => {
    const tpm = TpmEmulator.open(dir);
    const client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const random = await client.run("GetRandom", { params: { bytesRequested: 16 } });
    expect(random.randomBytes.length).to.equal(16);
    // the null hierarchy: its auth is empty after every TPM Reset, whatever the fuzz did to the others; noDA,
    // because the fuzz's wrong passwords may have left the dictionary-attack lockout engaged
    const template = akTemplate("ecc");
    template.objectAttributes |= TPMA_OBJECT.noDA;
    const ak = await client.run("CreatePrimary", {
      handles: [TPM_RH.NULL],
      auths: [pw()],
      params: { inSensitive: { userAuth: EMPTY, data: EMPTY }, inPublic: template, outsideInfo: EMPTY, creationPCR: [] },
    });
    const qualifyingData = Buffer.from("fuzz survived");
    const quote = await client.run("Quote", {
      handles: [ak.handle],
      auths: [pw()],
      params: {
        qualifyingData,
        inScheme: { scheme: TPM_ALG.NULL, details: undefined },
        PCRselect: [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }],
      },
    });
    expect(verifiesWithNode(ak.outPublic, quote.quoted, quote.signature)).to.equal(true);
    expect(Buffer.from(unmarshal(TPMS_ATTEST, quote.quoted).extraData)).to.deep.equal(qualifyingData);
  });
});
