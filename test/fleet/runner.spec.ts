import { expect } from "chai";
import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startServices } from "../../attestation-service/index.js";
import { loadTlsTrust } from "../../certs/index.js";
import { runFleet, type FleetReport } from "../../fleet/index.js";

/** The documented `--json` shape (README, "Fleet report"). */
function expectReportShape(report: FleetReport): void {
  expect(report).to.have.all.keys(
    "devices",
    "succeeded",
    "failed",
    "durationMs",
    "devicesPerSecond",
    "steps",
    "failures",
    "injected",
    "peakRssBytes",
  );
  for (const key of ["devices", "succeeded", "failed", "durationMs", "devicesPerSecond", "peakRssBytes"] as const) {
    expect(report[key], key).to.be.a("number").and.at.least(0);
  }
  for (const [name, step] of Object.entries(report.steps)) {
    expect(step, name).to.have.all.keys("p50", "p95");
    expect(step.p95, name).to.be.at.least(step.p50);
  }
  for (const failure of report.failures) {
    expect(failure).to.have.all.keys("code", "hresult", "count");
    expect(failure.hresult === null || /^0x[0-9a-f]{8}$/.test(failure.hresult)).to.equal(true);
  }
  for (const injected of report.injected) expect(injected).to.have.all.keys("fault", "count");
}

describe("fleet/runner", function () {
  this.timeout(300_000);
  let home: string;
  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "apsim-fleet-"));
  });
  after(async () => rm(home, { recursive: true, force: true }));

  it("runs a 50-device mixed-vendor fleet in which every device attests", async () => {
    const vendors = "IFX:40,STM:20,NTC:10,INTC:20,AMD:10";
    const result = await runFleet({ devices: 50, home, vendors, workers: 2 });
    expectReportShape(result.report);
    expect(result.report).to.include({ devices: 50, succeeded: 50, failed: 0 });
    expect(result.interrupted).to.equal(false);
    expect(new Set(result.records.map((r) => r.vendor))).to.have.all.keys("IFX", "STM", "NTC", "INTC", "AMD");
    expect(Object.keys(result.report.steps)).to.include.members(["challenge", "proof", "quote"]);

    const rerun = await runFleet({ devices: 5, home, vendors, workers: 1 });
    expect(rerun.factory.manufactured).to.equal(0);
    expect(rerun.report.succeeded).to.equal(5);
  });

  it("runs devices with Windows-shaped RSA AKs whose keys the factory made ahead", async () => {
    const result = await runFleet({ devices: 4, home, vendors: "IFX:1,AMD:1", ak: "rsa", workers: 1 });
    expect(result.report).to.include({ devices: 4, succeeded: 4 });
    const rerun = await runFleet({ devices: 4, home, vendors: "IFX:1,AMD:1", ak: "rsa", workers: 1 });
    expect(rerun.factory).to.deep.equal({ manufactured: 0, reused: 4 });
    expect(rerun.report.succeeded).to.equal(4);
  });

  it("runs a mixed-mode fleet through OOBE to MDM enrollment: devices registered by CSV import, profiles and users made for it", async () => {
    const result = await runFleet({ devices: 12, home, mode: "mixed", vendors: "IFX:1,STM:1,INTC:1", workers: 2 });
    expectReportShape(result.report);
    expect(result.report, JSON.stringify(result.report.failures)).to.include({ devices: 12, succeeded: 12, failed: 0 });
    const modes = new Set(result.records.map((record) => (record.steps.some((s) => s.name.startsWith("technician.")) ? "pre-provisioning" : record.steps.some((s) => s.name === "signIn") ? "user-driven" : "self-deploying")));
    expect([...modes].sort()).to.deep.equal(["pre-provisioning", "self-deploying", "user-driven"]);
    for (const record of result.records) expect(record.steps.map((s) => s.name)).to.include.oneOf(["registeringMdm", "technician.registeringMdm"]);
    expect(Object.keys(result.report.steps)).to.include.members(["securingHardware", "joiningNetwork", "registeringMdm"]);
  });

  it("a self-deploying fleet's TPM faults stop devices at 'Securing your hardware' with the service's code", async () => {
    const result = await runFleet({ devices: 6, home, mode: "self-deploying", vendors: "IFX:1", faults: "tpm:roca-ek=50%", workers: 1 });
    expect(result.report).to.include({ devices: 6, succeeded: 3, failed: 3 });
    expect(result.report.failures).to.deep.equal([{ code: "TPM_VULNERABLE_KEY", hresult: "0x81039024", count: 3 }]);
    for (const record of result.records.filter((r) => !r.ok)) {
      expect(record.steps.find((s) => s.status === "failed")?.name).to.equal("securingHardware");
    }
  });

  it("reports exactly the injected failures, by code and HRESULT, and nothing else", async () => {
    const result = await runFleet({
      devices: 20,
      home,
      vendors: "IFX:1,INTC:1",
      faults: "tpm:roca-ek=10%,tpm:expired-ek-cert=10%,tpm:virtual=5%",
      workers: 1,
      retryBaseDelayMs: 1,
    });
    expect(result.report.injected).to.deep.equal([
      { fault: "expired-ek-cert", count: 2 },
      { fault: "roca-ek", count: 2 },
      { fault: "virtual", count: 1 },
    ]);
    const byCode = Object.fromEntries(result.report.failures.map((f) => [f.code, [f.hresult, f.count]]));
    expect(byCode).to.deep.equal({
      EK_CERT_EXPIRED: ["0x80190190", 2],
      TPM_VULNERABLE_KEY: ["0x81039024", 2],
      TPM_NOT_SUPPORTED: ["0x800705b4", 1],
    });
    expect(result.report.succeeded).to.equal(15);
    for (const record of result.records) expect(record.ok).to.equal(record.faults.length === 0);
  });

  it("turns a vendor outage into retries and then 0x81039001 for that vendor's devices only", async () => {
    const result = await runFleet({
      devices: 6,
      home,
      vendors: "IFX:1,INTC:1",
      faults: "vendor:INTC=outage",
      workers: 1,
      retryBaseDelayMs: 1,
    });
    for (const record of result.records) {
      if (record.vendor === "INTC") expect([record.code, record.hresult]).to.deep.equal(["RETRY_BUDGET_EXHAUSTED", "0x81039001"]);
      else expect(record.ok, `device ${record.index}`).to.equal(true);
    }
    expect(result.records.some((r) => r.vendor === "INTC")).to.equal(true);
  });

  it("splits a fleet into shards that together run every device exactly once", async () => {
    const options = { devices: 9, home, vendors: "IFX:1,STM:1", workers: 1 } as const;
    const first = await runFleet({ ...options, shard: "1/2" });
    const second = await runFleet({ ...options, shard: "2/2" });
    const indexes = [...first.records, ...second.records].map((r) => r.index).sort((a, b) => a - b);
    expect(indexes).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(first.report.devices + second.report.devices).to.equal(9);
  });

  it("runs against services of another home, publishing its firmware TPMs' EK certificates there first", async () => {
    const serverHome = await mkdtemp(path.join(os.tmpdir(), "apsim-fleet-server-"));
    const shardHome = await mkdtemp(path.join(os.tmpdir(), "apsim-fleet-shard-"));
    const services = await startServices({ home: serverHome, port: 0, db: ":memory:" });
    try {
      // A shard on another machine carries a copy of the server home's PKI (the vendors' CAs), nothing else.
      await cp(path.join(serverHome, "pki"), path.join(shardHome, "pki"), { recursive: true });
      const options = { devices: 6, home: shardHome, vendors: "INTC:1,AMD:1,IFX:1", workers: 1, server: services.url, serverCa: await loadTlsTrust(serverHome) };
      const refused = await runFleet({ ...options, adminToken: "not-the-token" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(String(refused)).to.match(/UNAUTHORIZED|admin token/i);
      const result = await runFleet({ ...options, adminToken: services.adminToken });
      expect(result.report).to.include({ devices: 6, succeeded: 6 });
      expect(result.records.some((r) => r.vendor === "INTC" || r.vendor === "AMD")).to.equal(true);
    } finally {
      await services.close();
      await rm(serverHome, { recursive: true, force: true });
      await rm(shardHome, { recursive: true, force: true });
    }
  });

  it("stops on abort and still reports the devices that finished", async () => {
    const abort = new AbortController();
    const result = await runFleet({
      devices: 40,
      home,
      vendors: "IFX:1",
      workers: 1,
      concurrency: 2,
      signal: abort.signal,
      progress: { update: (done) => done >= 3 && abort.abort(), stop: () => undefined },
    });
    expect(result.interrupted).to.equal(true);
    expect(result.report.devices).to.be.at.least(3).and.below(40);
    expect(result.report.devices).to.equal(result.records.length);
    expectReportShape(result.report);
  });
});
