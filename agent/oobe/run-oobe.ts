/**
 * OOBE as a state machine: the prelude (language, region, keyboard, network, profile download), then the steps of
 * the mode the profile names. A failing step ends the flow with its code and HRESULT, and every later step of the
 * flow is reported as "previous step failed", as the Enrollment Status Page shows it (reference enrollment §3.3:
 * "Securing your hardware (Failed: 0x800705b4)", then "Joining your organization's network (Previous step failed)").
 */
import type { Clock } from "../../lib/index.js";
import {
  OK_CODE,
  OobeStepFailure,
  PRELUDE_STEPS,
  PREVIOUS_STEP_FAILED,
  S_OK,
  asStepFailure,
  type OobeStep,
  type OobeStepName,
} from "./oobe-step.js";

/** The deployment modes of Autopilot (reference enrollment §3.3); hybrid join is a join type, not a mode. */
export type DeploymentMode = "user-driven" | "self-deploying" | "pre-provisioning";

/**
 * Which part of a flow runs. `full`: all of it (user-driven, self-deploying); `technician`: the pre-provisioning
 * technician's Provision then Reseal; `user`: the user's part after a reseal.
 */
export type OobeFlowPart = "full" | "technician" | "user";

/**
 * The steps that follow the profile, per mode and part. The Enrollment Status Page's device setup follows MDM
 * enrollment in every mode and its account setup follows in flows with a user (reference enrollment §3.4); `esp`
 * false leaves both out (a device that cannot reach the management server).
 */
export function stepsAfterProfile(mode: DeploymentMode, part: OobeFlowPart, esp = true): readonly OobeStepName[] {
  const steps = ((): OobeStepName[] => {
    switch (mode) {
      case "self-deploying":
        return ["securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup"];
      case "user-driven":
        return ["signIn", "joiningNetwork", "registeringMdm", "deviceSetup", "accountSetup"];
      case "pre-provisioning":
        // The technician provisions the device context, runs the device ESP and reseals; the user later signs in
        // on the joined, enrolled device, whose device ESP runs again before account setup (reference §3.3, §3.4).
        return part === "user" ? ["signIn", "deviceSetup", "accountSetup"] : ["securingHardware", "joiningNetwork", "registeringMdm", "deviceSetup", "reseal"];
    }
  })();
  return esp ? steps : steps.filter((step) => step !== "deviceSetup" && step !== "accountSetup");
}

/** The work behind each step; each either returns or throws (an {@link OobeStepFailure} for a known failure). */
export interface OobeStepHandlers {
  /** Downloads the profile and returns the mode it assigns. */
  readonly profile: () => Promise<DeploymentMode>;
  readonly signIn?: () => Promise<void>;
  readonly securingHardware?: () => Promise<void>;
  readonly joiningNetwork?: () => Promise<void>;
  readonly registeringMdm?: () => Promise<void>;
  readonly deviceSetup?: () => Promise<void>;
  readonly accountSetup?: () => Promise<void>;
  readonly reseal?: () => Promise<void>;
  /** Optional work behind the prelude's local steps (they succeed when absent). */
  readonly language?: () => Promise<void>;
  readonly region?: () => Promise<void>;
  readonly keyboard?: () => Promise<void>;
  readonly network?: () => Promise<void>;
}

/** Options of {@link runOobe}. */
export interface RunOobeOptions {
  readonly handlers: OobeStepHandlers;
  readonly clock: Clock;
  readonly part?: OobeFlowPart;
  /** Whether the Enrollment Status Page's steps run (default true). */
  readonly esp?: boolean;
  /** Called as each step ends. */
  readonly onStep?: (step: OobeStep, detail?: string) => void;
}

/** What a flow ended with. */
export interface OobeRun {
  /** True when every step of the flow succeeded. */
  readonly ok: boolean;
  /** The mode from the profile; null when the profile step failed. */
  readonly mode: DeploymentMode | null;
  /** The failing step's code, or "OK". */
  readonly code: string;
  readonly hresult: string;
  readonly steps: readonly OobeStep[];
}

/**
 * Runs the flow step by step. Steps with no handler fail with DEVICE_STEP_UNSUPPORTED, so that a device asked to
 * run a mode it cannot (no join client given, say) says so instead of pretending.
 */
export async function runOobe(options: RunOobeOptions): Promise<OobeRun> {
  const { handlers, clock } = options;
  const part = options.part ?? "full";
  const steps: OobeStep[] = [];
  const record = (step: OobeStep, detail?: string) => {
    steps.push(step);
    options.onStep?.(step, detail);
  };
  const ended = (failure: OobeStepFailure, remaining: readonly OobeStepName[], mode: DeploymentMode | null): OobeRun => {
    const at = clock.now();
    for (const name of remaining) {
      record({ name, status: "previousStepFailed", code: PREVIOUS_STEP_FAILED, hresult: failure.hresultText, startedAt: at, ms: 0 });
    }
    return { ok: false, mode, code: failure.code, hresult: failure.hresultText, steps };
  };

  let mode: DeploymentMode | null = null;
  const prelude: readonly OobeStepName[] = PRELUDE_STEPS;
  for (const [index, name] of prelude.entries()) {
    const failure = await runStep(name, clock, record, async () => {
      if (name === "profile") mode = await handlers.profile();
      else await (handlers[name as Exclude<(typeof PRELUDE_STEPS)[number], "profile">] ?? noWork)();
    });
    if (failure !== null) return ended(failure, prelude.slice(index + 1), null);
  }
  const chosen = mode as DeploymentMode | null;
  if (chosen === null) throw new Error("the profile step returned no mode");
  const rest = stepsAfterProfile(chosen, part, options.esp ?? true);
  for (const [index, name] of rest.entries()) {
    const handler: (() => Promise<unknown>) | undefined = handlers[name];
    const failure = await runStep(name, clock, record, async () => {
      if (handler === undefined) throw new OobeStepFailure("DEVICE_STEP_UNSUPPORTED", `this device cannot run step ${name}`);
      await handler();
    });
    if (failure !== null) return ended(failure, rest.slice(index + 1), chosen);
  }
  return { ok: true, mode: chosen, code: OK_CODE, hresult: S_OK, steps };
}

const noWork = (): Promise<void> => Promise.resolve();

async function runStep(
  name: OobeStepName,
  clock: Clock,
  record: (step: OobeStep, detail?: string) => void,
  work: () => Promise<void>,
): Promise<OobeStepFailure | null> {
  const startedAt = clock.now();
  try {
    await work();
    record({ name, status: "ok", code: OK_CODE, hresult: S_OK, startedAt, ms: clock.now() - startedAt });
    return null;
  } catch (error) {
    const failure = asStepFailure(error);
    record({ name, status: "failed", code: failure.code, hresult: failure.hresultText, startedAt, ms: clock.now() - startedAt }, failure.message);
    return failure;
  }
}
