import { performance } from "node:perf_hooks";
import { OK_CODE, S_OK, type AttestationFailure, type AttestationStep, type StepEvent, type StepName } from "./outcome.js";

/** Times each named step and keeps the list the outcome reports (a retried step appears once per attempt). */
export class StepRecorder {
  readonly steps: AttestationStep[] = [];

  constructor(private readonly onStep?: (event: StepEvent) => void) {}

  /**
   * Runs `work` as step `name`. A throw is turned into an AttestationFailure by `classify`, recorded as
   * failed, and thrown on.
   */
  async run<T>(name: StepName, work: () => Promise<T>, classify: (error: unknown) => AttestationFailure): Promise<T> {
    const started = performance.now();
    try {
      const value = await work();
      this.record({ name, status: "ok", code: OK_CODE, hresult: S_OK, ms: elapsed(started) });
      return value;
    } catch (error) {
      const failure = classify(error);
      this.record({ name, status: "failed", code: failure.code, hresult: failure.hresultText, ms: elapsed(started), detail: failure.message });
      throw failure;
    }
  }

  /** Records a step the flow went on without, and why. */
  skip(name: StepName, started: number, reason: AttestationFailure): void {
    this.record({ name, status: "skipped", code: reason.code, hresult: reason.hresultText, ms: elapsed(started), detail: reason.message });
  }

  /** Records a step that failed outside {@link run}. */
  fail(name: StepName, started: number, failure: AttestationFailure): void {
    this.record({ name, status: "failed", code: failure.code, hresult: failure.hresultText, ms: elapsed(started), detail: failure.message });
  }

  /** Records a step that succeeded with a detail worth showing (where a certificate came from). */
  ok(name: StepName, started: number, detail?: string): void {
    this.record({ name, status: "ok", code: OK_CODE, hresult: S_OK, ms: elapsed(started), ...(detail === undefined ? {} : { detail }) });
  }

  private record(event: StepEvent): void {
    const { detail: _detail, ...step } = event;
    this.steps.push(step);
    this.onStep?.(event);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
