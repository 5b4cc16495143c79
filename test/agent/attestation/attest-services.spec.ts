// End to end: the agent against the project's own services (vendor endpoints + AIK service on one HTTPS port).
import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { attestDevice, TpmDevice, type AttestationOutcome, type StepEvent } from "../../../agent/index.js";
import { startServices, type RunningServices } from "../../../attestation-service/index.js";
import { loadTlsTrust } from "../../../certs/index.js";
import { manufactureTpm, parseTpmFault, type TpmEmulator } from "../../../tpm-emulator/index.js";

describe("agent e2e: attestDevice against startServices", function () {
  this.timeout(180_000);
  let home: string;
  let services: RunningServices;
  let ca: string;
  const delays: number[] = [];

  const attest = (tpm: TpmEmulator, extra: Partial<Parameters<typeof attestDevice>[0]> = {}): Promise<AttestationOutcome> =>
    attestDevice({
      tpm: TpmDevice.fromEmulator(tpm),
      serverUrl: services.url,
      ca,
      retry: { seed: 1, delay: (ms) => (delays.push(ms), Promise.resolve()) },
      ...extra,
    });

  before(async () => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-agent-e2e-"));
    services = await startServices({ home, port: 0 });
    ca = await loadTlsTrust(home);
  });
  beforeEach(() => {
    delays.length = 0;
  });
  after(async () => {
    await services?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("a discrete TPM (EK certificate in NV) gets an AIK certificate for its RSA AK", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home, seed: Buffer.alloc(32, 0x11) });
    const outcome = await attest(tpm);
    expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    expect(outcome.steps.every((s) => s.status === "ok")).to.equal(true);
    const aik = new X509Certificate(outcome.akCertificate!);
    expect(aik.subject ?? "").to.equal("");
    expect(aik.keyUsage).to.include("2.23.133.8.3");
  });

  it("a discrete TPM attests with its ECC EK and an ECC AK", async () => {
    const tpm = await manufactureTpm({ vendor: "NTC", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x12) });
    const outcome = await attest(tpm, { ek: "ecc", ak: "ecc" });
    expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
  });

  for (const vendor of ["INTC", "AMD", "QCOM"] as const) {
    it(`a firmware TPM (${vendor}) fetches its EK certificate from the vendor endpoint`, async () => {
      const tpm = await manufactureTpm({ vendor, home, seed: Buffer.alloc(32, vendor.length) });
      const events: StepEvent[] = [];
      const outcome = await attest(tpm, { onStep: (e) => events.push(e) });
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
      const lookups = events.filter((e) => e.name === "ekCertificate");
      expect(lookups.at(-1)).to.include({ status: "ok" });
      expect(lookups.at(-1)!.detail).to.match(new RegExp(`from ${vendor} EK certificate service`));
      // our Qualcomm fTPM has only an ECC EK certified: "auto" asks for the RSA one first, then takes the ECC one
      expect(lookups.map((e) => e.code)).to.deep.equal(vendor === "QCOM" ? ["NOT_FOUND", "OK"] : ["OK"]);
    });
  }

  it("a revoked EK certificate is rejected once, without retries", async () => {
    const tpm = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x13), faults: [parseTpmFault("revoked-ek-cert")] });
    const outcome = await attest(tpm, { ak: "ecc" });
    expect(outcome).to.include({ ok: false, code: "EK_CERT_REVOKED", hresult: "0x80190190" });
    expect(outcome.steps.filter((s) => s.name === "challenge")).to.have.length(1);
    expect(delays).to.deep.equal([]);
  });

  it("a virtual TPM is refused with 0x800705B4, as Autopilot refuses VMs", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x14), faults: [parseTpmFault("virtual")] });
    const outcome = await attest(tpm, { ak: "ecc" });
    expect(outcome).to.include({ ok: false, code: "TPM_NOT_SUPPORTED", hresult: "0x800705b4" });
  });

  it("a firmware TPM whose vendor is down spends its retry budget: 0x81039001", async () => {
    const down = await startServices({ home, port: 0, vendorFaults: ["INTC=outage"] });
    try {
      const tpm = await manufactureTpm({ vendor: "INTC", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x16) });
      const outcome = await attest(tpm, { serverUrl: down.url, ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "RETRY_BUDGET_EXHAUSTED", hresult: "0x81039001" });
      expect(outcome.steps.find((s) => s.name === "ekCertificate")).to.include({ status: "skipped", code: "VENDOR_ENDPOINT_UNAVAILABLE" });
      expect(outcome.steps.filter((s) => s.name === "challenge").map((s) => s.code)).to.deep.equal(Array(5).fill("VENDOR_ENDPOINT_UNAVAILABLE"));
      expect(delays).to.have.length(4);
    } finally {
      await down.close();
    }
  });

  it("a TPM 1.2 part never reaches the service: NO_TPM", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: Buffer.alloc(32, 0x15), faults: [parseTpmFault("tpm12")] });
    const outcome = await attest(tpm);
    expect(outcome).to.include({ ok: false, code: "NO_TPM", hresult: "0x800705b4" });
  });
});
