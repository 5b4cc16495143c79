/**
 * What a fleet run reports: per-device outcomes folded into the documented JSON document, a summary table
 * for terminals, and a self-contained HTML page with charts.
 */

/** One step of one device, as the agent reports it. */
export interface DeviceStepRecord {
  readonly name: string;
  readonly status: string;
  readonly ms: number;
  readonly code?: string | undefined;
}

/** How one device ended. */
export interface DeviceRecord {
  readonly index: number;
  readonly vendor: string;
  readonly faults: readonly string[];
  readonly ok: boolean;
  readonly code?: string | undefined;
  readonly hresult?: string | undefined;
  readonly steps: readonly DeviceStepRecord[];
  /** ms since the run started. */
  readonly startMs: number;
  readonly endMs: number;
}

/** The `--json` document (README documents it). */
export interface FleetReport {
  readonly devices: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly durationMs: number;
  readonly devicesPerSecond: number;
  readonly steps: Record<string, { p50: number; p95: number }>;
  readonly failures: { code: string; hresult: string | null; count: number }[];
  readonly injected: { fault: string; count: number }[];
  readonly peakRssBytes: number;
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Folds device records into the report document. */
export function summarizeFleet(records: readonly DeviceRecord[], durationMs: number, peakRssBytes: number): FleetReport {
  const stepTimes = new Map<string, number[]>();
  const failures = new Map<string, { code: string; hresult: string | null; count: number }>();
  const injected = new Map<string, number>();
  let succeeded = 0;
  for (const record of records) {
    if (record.ok) succeeded++;
    else {
      const code = record.code ?? "UNKNOWN";
      const key = `${code}|${record.hresult ?? ""}`;
      const entry = failures.get(key) ?? { code, hresult: record.hresult ?? null, count: 0 };
      entry.count++;
      failures.set(key, entry);
    }
    for (const fault of record.faults) injected.set(fault, (injected.get(fault) ?? 0) + 1);
    for (const step of record.steps) {
      const list = stepTimes.get(step.name) ?? [];
      list.push(step.ms);
      stepTimes.set(step.name, list);
    }
  }
  const steps: Record<string, { p50: number; p95: number }> = {};
  for (const [name, times] of stepTimes) {
    times.sort((a, b) => a - b);
    steps[name] = { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)) };
  }
  return {
    devices: records.length,
    succeeded,
    failed: records.length - succeeded,
    durationMs: Math.round(durationMs),
    devicesPerSecond: durationMs > 0 ? round((records.length * 1000) / durationMs) : 0,
    steps,
    failures: [...failures.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    injected: [...injected.entries()]
      .map(([fault, count]) => ({ fault, count }))
      .sort((a, b) => b.count - a.count || a.fault.localeCompare(b.fault)),
    peakRssBytes,
  };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")).join("\n");
}

/** The summary a terminal shows at the end of a run. */
export function formatFleetSummary(report: FleetReport): string {
  const lines = [
    table([
      ["devices", "succeeded", "failed", "seconds", "devices/s", "peak RSS MiB"],
      [
        String(report.devices),
        String(report.succeeded),
        String(report.failed),
        (report.durationMs / 1000).toFixed(1),
        report.devicesPerSecond.toFixed(1),
        (report.peakRssBytes / 2 ** 20).toFixed(0),
      ],
    ]),
  ];
  const stepRows = Object.entries(report.steps).map(([name, { p50, p95 }]) => [name, p50.toFixed(1), p95.toFixed(1)]);
  if (stepRows.length > 0) lines.push("", table([["step", "p50 ms", "p95 ms"], ...stepRows]));
  if (report.failures.length > 0) {
    lines.push("", table([["failure", "HRESULT", "devices"], ...report.failures.map((f) => [f.code, f.hresult ?? "-", String(f.count)])]));
  }
  if (report.injected.length > 0) {
    lines.push("", table([["injected fault", "devices"], ...report.injected.map((f) => [f.fault, String(f.count)])]));
  }
  return lines.join("\n");
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function barChart(title: string, bars: readonly { label: string; value: number; second?: number }[], unit: string): string {
  const width = 640;
  const rowHeight = 22;
  const labelWidth = 200;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.second ?? 0)));
  const scale = (value: number) => ((width - labelWidth - 80) * value) / max;
  const rows = bars
    .map((bar, i) => {
      const y = 24 + i * rowHeight;
      const second =
        bar.second === undefined
          ? ""
          : `<rect x="${labelWidth}" y="${y + 12}" width="${scale(bar.second).toFixed(1)}" height="6" fill="#e07b39"/>`;
      return (
        `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${scale(bar.value).toFixed(1)}" height="10" fill="#3a78c2"/>` +
        second +
        `<text x="${labelWidth + scale(Math.max(bar.value, bar.second ?? 0)) + 6}" y="${y + 12}">${bar.value}${bar.second === undefined ? "" : ` / ${bar.second}`} ${unit}</text>`
      );
    })
    .join("");
  const height = 34 + bars.length * rowHeight;
  return `<h2>${escapeHtml(title)}</h2><svg width="${width}" height="${height}" font-size="12" font-family="sans-serif">${rows}</svg>`;
}

function timeline(records: readonly DeviceRecord[], durationMs: number): string {
  const width = 640;
  const height = 160;
  const sorted = [...records].sort((a, b) => a.endMs - b.endMs);
  let ok = 0;
  let failed = 0;
  const okPoints: string[] = ["0,140"];
  const failPoints: string[] = ["0,140"];
  const total = Math.max(1, records.length);
  const x = (ms: number) => (40 + ((width - 50) * ms) / Math.max(1, durationMs)).toFixed(1);
  const y = (count: number) => (140 - (120 * count) / total).toFixed(1);
  for (const record of sorted) {
    if (record.ok) ok++;
    else failed++;
    okPoints.push(`${x(record.endMs)},${y(ok)}`);
    failPoints.push(`${x(record.endMs)},${y(failed)}`);
  }
  return (
    `<h2>Timeline (devices finished)</h2><svg width="${width}" height="${height}" font-size="12" font-family="sans-serif">` +
    `<line x1="40" y1="140" x2="${width - 10}" y2="140" stroke="#888"/><line x1="40" y1="20" x2="40" y2="140" stroke="#888"/>` +
    `<polyline fill="none" stroke="#3a78c2" stroke-width="2" points="${okPoints.join(" ")}"/>` +
    `<polyline fill="none" stroke="#c23a3a" stroke-width="2" points="${failPoints.join(" ")}"/>` +
    `<text x="44" y="16">${records.length} devices in ${(durationMs / 1000).toFixed(1)} s — blue: succeeded, red: failed</text></svg>`
  );
}

/** A self-contained HTML page: counters, step durations, failures by code, a timeline. No external assets. */
export function renderFleetHtml(report: FleetReport, records: readonly DeviceRecord[], title = "apsim fleet report"): string {
  const counters = [
    ["devices", report.devices],
    ["succeeded", report.succeeded],
    ["failed", report.failed],
    ["devices/s", report.devicesPerSecond],
    ["seconds", (report.durationMs / 1000).toFixed(1)],
  ]
    .map(([label, value]) => `<div class="counter"><b>${escapeHtml(String(value))}</b><span>${escapeHtml(String(label))}</span></div>`)
    .join("");
  const steps = barChart(
    "Step durations (p50 / p95)",
    Object.entries(report.steps).map(([label, { p50, p95 }]) => ({ label, value: p50, second: p95 })),
    "ms",
  );
  const failures =
    report.failures.length === 0
      ? "<h2>Failures by code</h2><p>none</p>"
      : barChart(
          "Failures by code",
          report.failures.map((f) => ({ label: `${f.code}${f.hresult ? ` (${f.hresult})` : ""}`, value: f.count })),
          "devices",
        );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}.counter{display:inline-block;margin-right:2em}
.counter b{display:block;font-size:2em}.counter span{color:#666}h2{margin-top:1.5em;font-size:1.1em}</style></head>
<body><h1>${escapeHtml(title)}</h1>${counters}${steps}${failures}${timeline(records, report.durationMs)}
<script type="application/json" id="report">${JSON.stringify(report).replace(/</g, "\\u003c")}</script>
</body></html>
`;
}
