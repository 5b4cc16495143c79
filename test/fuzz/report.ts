/** Human-readable fuzz results: the failure report (seed, input hex, stack, preceding inputs) and the summary table. */
import type { FuzzFailure, FuzzStats } from "./fuzzer.js";

/** Distinct failures (by problem text), each with the seed and a reproducing input. */
export function formatFailures(failures: readonly FuzzFailure[], limit = 5): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const f of failures) {
    const key = f.problem.slice(0, 160);
    if (seen.has(key)) continue;
    seen.add(key);
    if (parts.length === limit) break;
    parts.push(
      [
        `FUZZ_SEED=${f.seed} step ${f.step}: ${f.command} (mutation ${f.mutation})`,
        `  problem: ${f.problem}`,
        `  input:   ${f.inputHex}`,
        ...(f.stack ? [`  stack:   ${f.stack.split("\n").slice(0, 8).join("\n           ")}`] : []),
        "  preceding inputs (oldest first):",
        ...f.history.map((h) => `    ${h}`),
      ].join("\n"),
    );
  }
  return `${failures.length} fuzz failure(s), ${seen.size} distinct:\n${parts.join("\n\n")}`;
}

/** The summary table: inputs, responses by class and by code, internal failures, rate. */
export function formatSummary(stats: FuzzStats, label: string): string {
  const rate = stats.millis > 0 ? Math.round((stats.inputs * 1000) / stats.millis) : 0;
  const internal = stats.failures.filter((f) => f.problem.startsWith("internal error")).length;
  const rows: [string, string][] = [
    ["target", label],
    ["inputs", String(stats.inputs)],
    ["mutated", String(stats.mutated)],
    ["successes", String(stats.successes)],
    ...[...stats.byClass].sort((a, b) => b[1] - a[1]).map(([k, v]) => [`  class ${k}`, String(v)] as [string, string]),
    ...[...stats.byCode].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [`  ${k}`, String(v)] as [string, string]),
    ["commands that succeeded", String(stats.commandsSucceeded.size)],
    ["internal failures found", String(internal)],
    ["other oracle failures", String(stats.failures.length - internal)],
    ["seconds", (stats.millis / 1000).toFixed(1)],
    ["inputs/s", String(rate)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
