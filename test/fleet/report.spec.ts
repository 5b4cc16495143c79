import { expect } from "chai";
import { formatFleetSummary, percentile, renderFleetHtml, summarizeFleet, type DeviceRecord } from "../../fleet/report.js";

function device(index: number, ok: boolean, extra: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    index,
    vendor: "IFX",
    faults: [],
    ok,
    steps: [
      { name: "challenge", status: "ok", ms: index + 1 },
      { name: "proof", status: ok ? "ok" : "failed", ms: 2 * (index + 1) },
    ],
    startMs: index,
    endMs: index + 10,
    ...extra,
  };
}

describe("fleet/report", () => {
  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).to.equal(50);
    expect(percentile(values, 95)).to.equal(95);
    expect(percentile([], 50)).to.equal(0);
  });

  it("counts outcomes, failures by code and HRESULT, injected faults and step percentiles", () => {
    const records = [
      ...Array.from({ length: 18 }, (_, i) => device(i, true)),
      device(18, false, { code: "TPM_VULNERABLE_KEY", hresult: "0x81039024", faults: ["roca-ek"] }),
      device(19, false, { code: "EK_CERT_MISSING", hresult: "0x80190190", faults: ["no-ek-cert"] }),
    ];
    const report = summarizeFleet(records, 2000, 123456);
    expect(report).to.include({ devices: 20, succeeded: 18, failed: 2, durationMs: 2000, devicesPerSecond: 10, peakRssBytes: 123456 });
    expect(report.failures).to.deep.equal([
      { code: "EK_CERT_MISSING", hresult: "0x80190190", count: 1 },
      { code: "TPM_VULNERABLE_KEY", hresult: "0x81039024", count: 1 },
    ]);
    expect(report.injected).to.deep.equal([
      { fault: "no-ek-cert", count: 1 },
      { fault: "roca-ek", count: 1 },
    ]);
    expect(report.steps["challenge"]).to.deep.equal({ p50: 10, p95: 19 });
    expect(report.steps["proof"]).to.deep.equal({ p50: 20, p95: 38 });
    const text = formatFleetSummary(report);
    expect(text).to.contain("TPM_VULNERABLE_KEY").and.contain("0x81039024").and.contain("roca-ek");
  });

  it("renders a self-contained HTML page carrying the report", () => {
    const records = [device(0, true), device(1, false, { code: "X<script>", hresult: "0x1" })];
    const report = summarizeFleet(records, 100, 1);
    const html = renderFleetHtml(report, records);
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.not.match(/<script src|<link |https?:\/\//);
    expect(html).to.not.contain("X<script>");
    const embedded = /<script type="application\/json" id="report">(.*)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(embedded)).to.deep.equal(report);
  });
});
