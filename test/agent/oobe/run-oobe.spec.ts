import { expect } from "chai";
import { ManualClock } from "../../../lib/index.js";
import { errorDefinition, formatHresult } from "../../../protocol/index.js";
import { OobeStepFailure } from "../../../agent/oobe/oobe-step.js";
import { runOobe, stepsAfterProfile, type DeploymentMode, type OobeStepHandlers } from "../../../agent/oobe/run-oobe.js";

/** Handlers that advance the clock by `ms` and log which steps ran. */
function handlers(mode: DeploymentMode, ran: string[], clock: ManualClock, overrides: Partial<OobeStepHandlers> = {}): OobeStepHandlers {
  const step = (name: string) => () => {
    ran.push(name);
    clock.advance(10);
    return Promise.resolve();
  };
  return {
    profile: () => {
      ran.push("profile");
      clock.advance(25);
      return Promise.resolve(mode);
    },
    signIn: step("signIn"),
    securingHardware: step("securingHardware"),
    joiningNetwork: step("joiningNetwork"),
    registeringMdm: step("registeringMdm"),
    deviceSetup: step("deviceSetup"),
    accountSetup: step("accountSetup"),
    reseal: step("reseal"),
    ...overrides,
  };
}

describe("agent/oobe/run-oobe", () => {
  it("runs the prelude, then the self-deploying steps, with start times and durations from the clock", async () => {
    const clock = new ManualClock(1_000);
    const ran: string[] = [];
    const run = await runOobe({ handlers: handlers("self-deploying", ran, clock), clock });
    expect(run).to.include({ ok: true, mode: "self-deploying", code: "OK", hresult: "0x00000000" });
    expect(run.steps.map((s) => s.name)).to.deep.equal([
      "language",
      "region",
      "keyboard",
      "network",
      "profile",
      "securingHardware",
      "joiningNetwork",
      "registeringMdm",
      "deviceSetup",
    ]);
    expect(ran).to.deep.equal(["profile", "securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup"]);
    const profile = run.steps.find((s) => s.name === "profile")!;
    expect(profile).to.include({ startedAt: 1_000, ms: 25 });
    expect(run.steps.find((s) => s.name === "securingHardware")).to.include({ startedAt: 1_025, ms: 10 });
  });

  it("a failing step stops the flow and marks the later steps 'previous step failed' with its HRESULT", async () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    const events: string[] = [];
    const run = await runOobe({
      clock,
      handlers: handlers("self-deploying", ran, clock, {
        securingHardware: () => Promise.reject(new OobeStepFailure("NO_TPM", "this device has no TPM 2.0")),
      }),
      onStep: (step, detail) => events.push(`${step.name}:${step.status}${detail === undefined ? "" : `:${detail}`}`),
    });
    expect(run).to.include({ ok: false, mode: "self-deploying", code: "NO_TPM", hresult: "0x800705b4" });
    expect(run.steps.slice(-4).map((s) => [s.name, s.status, s.code, s.hresult])).to.deep.equal([
      ["securingHardware", "failed", "NO_TPM", "0x800705b4"],
      ["joiningNetwork", "previousStepFailed", "PREVIOUS_STEP_FAILED", "0x800705b4"],
      ["registeringMdm", "previousStepFailed", "PREVIOUS_STEP_FAILED", "0x800705b4"],
      ["deviceSetup", "previousStepFailed", "PREVIOUS_STEP_FAILED", "0x800705b4"],
    ]);
    expect(ran).to.not.include("joiningNetwork");
    expect(events).to.include("securingHardware:failed:this device has no TPM 2.0");
  });

  it("a profile failure leaves the mode unknown and no later step", async () => {
    const clock = new ManualClock();
    const run = await runOobe({
      clock,
      handlers: { profile: () => Promise.reject(new OobeStepFailure("DEVICE_NOT_REGISTERED", "not registered")) },
    });
    expect(run).to.include({ ok: false, mode: null, code: "DEVICE_NOT_REGISTERED" });
    expect(run.hresult).to.equal(formatHresult(errorDefinition("DEVICE_NOT_REGISTERED")?.hresult ?? 0x80004005));
    expect(run.steps.map((s) => s.name)).to.deep.equal(["language", "region", "keyboard", "network", "profile"]);
  });

  it("an unexpected error becomes INTERNAL with E_FAIL", async () => {
    const clock = new ManualClock();
    const run = await runOobe({ clock, handlers: handlers("user-driven", [], clock, { signIn: () => Promise.reject(new TypeError("boom")) }) });
    expect(run).to.include({ ok: false, code: "INTERNAL", hresult: "0x80004005" });
  });

  it("a step without a handler fails with DEVICE_STEP_UNSUPPORTED instead of passing", async () => {
    const clock = new ManualClock();
    const run = await runOobe({ clock, handlers: { profile: () => Promise.resolve("user-driven") } });
    expect(run.ok).to.equal(false);
    expect(run.steps.find((s) => s.name === "signIn")).to.include({ status: "failed", code: "DEVICE_STEP_UNSUPPORTED" });
  });

  it("pre-provisioning: the technician part provisions, runs the device ESP and reseals; the user part signs in and reruns the ESP", async () => {
    expect(stepsAfterProfile("pre-provisioning", "technician")).to.deep.equal(["securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup", "reseal"]);
    expect(stepsAfterProfile("pre-provisioning", "user")).to.deep.equal(["signIn", "deviceSetup", "accountSetup"]);
    const clock = new ManualClock();
    const ran: string[] = [];
    const run = await runOobe({ clock, part: "user", handlers: handlers("pre-provisioning", ran, clock) });
    expect(run.ok).to.equal(true);
    expect(ran).to.deep.equal(["profile", "signIn", "deviceSetup", "accountSetup"]);
  });

  it("the ESP's steps follow enrollment in every mode, account setup only with a user; esp false leaves them out", () => {
    expect(stepsAfterProfile("self-deploying", "full")).to.deep.equal(["securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup"]);
    expect(stepsAfterProfile("user-driven", "full")).to.deep.equal(["signIn", "joiningNetwork", "registeringMdm", "deviceSetup", "accountSetup"]);
    expect(stepsAfterProfile("user-driven", "full", false)).to.deep.equal(["signIn", "joiningNetwork", "registeringMdm"]);
  });
});
