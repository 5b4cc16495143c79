import { errorDefinition } from "../../protocol/index.js";
import type { AttestationOutcome, StepEvent } from "./outcome.js";

/** One line for a step, as the CLI prints progress. */
export function describeStep(step: StepEvent): string {
  const status = step.status === "ok" ? "ok     " : step.status === "failed" ? "FAILED " : "skipped";
  const code = step.status === "ok" ? "" : ` ${step.code} ${step.hresult}`;
  const detail = step.detail === undefined ? "" : ` — ${step.detail}`;
  return `${step.name.padEnd(18)} ${status} ${String(Math.round(step.ms)).padStart(6)} ms${code}${detail}`;
}

/** The verdict lines for humans: attested, or the code, HRESULT and what it means. */
export function describeOutcome(outcome: AttestationOutcome): string[] {
  if (outcome.ok) return ["attested: AIK certificate issued", outcome.akCertificate ?? ""];
  const meaning = errorDefinition(outcome.code)?.message;
  return [`not attested: ${outcome.code} (${outcome.hresult})${meaning === undefined ? "" : `: ${meaning}`}`];
}
