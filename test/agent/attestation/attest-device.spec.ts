import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { attestDevice, CertificateCache, TpmDevice, type AttestationOutcome, type StepEvent } from "../../../agent/index.js";
import { issueEkCertificate, loadVendorPki } from "../../../certs/index.js";
import { ManualClock } from "../../../lib/index.js";
import { resolveVirtualUrl } from "../../../protocol/index.js";
import {
  EK_CERT_NV_INDEX,
  TPM2B_PUBLIC,
  TPM_ALG,
  TPM_RH,
  TPM_SU,
  TpmClient,
  ekTemplateRsa,
  publicKeyOf,
  unmarshal,
} from "../../../tpm2/index.js";
import { manufactureTpm, parseTpmFault, type TpmEmulator } from "../../../tpm-emulator/index.js";
import { startFakeAttestationService, type FakeService, type FakeServiceOptions, type ScriptedAnswer } from "../support/fake-attestation-service.js";
import { loadedHandles } from "../support/tpms.js";
import { startSwtpm } from "../../interop/support/swtpm.js";
import { requireTool } from "../../interop/support/tools.js";

const SEED = (n: number) => Buffer.alloc(32, n);

describe("agent: attestDevice against a test service speaking the protocol", function () {
  this.timeout(120_000);
  let home: string;
  const services: FakeService[] = [];
  const delays: number[] = [];
  const retry = { delay: (ms: number) => (delays.push(ms), Promise.resolve()), seed: 7 };

  async function service(options: Omit<FakeServiceOptions, "home"> = {}): Promise<FakeService> {
    const started = await startFakeAttestationService({ home, ...options });
    services.push(started);
    return started;
  }

  async function attest(tpm: TpmEmulator, fake: FakeService, extra: Partial<Parameters<typeof attestDevice>[0]> = {}): Promise<AttestationOutcome> {
    return attestDevice({ tpm: TpmDevice.fromEmulator(tpm), serverUrl: fake.url, ca: fake.ca, retry, ...extra });
  }

  before(() => {
    home = mkdtempSync(path.join(tmpdir(), "apsim-agent-"));
  });
  beforeEach(() => {
    delays.length = 0;
  });
  afterEach(async () => {
    await Promise.all(services.splice(0).map((s) => s.close()));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it("attests a discrete TPM with its RSA EK certificate from NV, the intermediate from AIA, and an RSA AK", async () => {
    const tpm = await manufactureTpm({ vendor: "IFX", eks: ["rsa", "ecc"], home, seed: SEED(1) });
    const fake = await service({ vendorPkis: [await loadVendorPki(home, "IFX")] });
    const events: StepEvent[] = [];
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const outcome = await attest(tpm, fake, { clock, onStep: (e) => events.push(e) });

    expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    expect(outcome).to.include({ code: "OK", hresult: "0x00000000" });
    expect(outcome.steps.map((s) => [s.name, s.status])).to.deep.equal([
      ["tpmProperties", "ok"],
      ["endorsementKey", "ok"],
      ["ekCertificate", "ok"],
      ["attestationKey", "ok"],
      ["challenge", "ok"],
      ["activateCredential", "ok"],
      ["quote", "ok"],
      ["proof", "ok"],
      ["aikCertificate", "ok"],
    ]);
    expect(Object.keys(outcome).sort()).to.deep.equal(["akCertificate", "code", "hresult", "ok", "steps"]);
    expect(Object.keys(outcome.steps[0]!).sort()).to.deep.equal(["code", "hresult", "ms", "name", "status"]);
    expect(events.find((e) => e.name === "ekCertificate")?.detail).to.match(/NV index 0x1c00002, 1 intermediate/);

    const [request] = fake.challenges;
    const nvCert = tpm.runtime.nvIndex(EK_CERT_NV_INDEX.rsa)!.data;
    expect(Buffer.from(request!.ekCertificate!)).to.deep.equal(Buffer.from(nvCert));
    const issuing = (await loadVendorPki(home, "IFX")).chainFor("rsa")[0];
    expect(request!.ekIntermediates.map((c) => Buffer.from(c))).to.deep.equal([Buffer.from(issuing.certificate.rawData)]);
    expect(request!.tpm).to.deep.include({ manufacturer: 0x49465800, family: "2.0" });
    expect(request!.deviceTime).to.equal(clock.now());
    expect(unmarshal(TPM2B_PUBLIC, request!.ekPublic).type).to.equal(TPM_ALG.RSA);
    const akPublic = unmarshal(TPM2B_PUBLIC, request!.akPublic);
    expect(akPublic.objectAttributes).to.equal(0x00050472);
    expect(fake.proofs[0]!.pcrValues.map((p) => p.index)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);

    const aik = new X509Certificate(outcome.akCertificate!);
    expect(aik.publicKey.export({ type: "spki", format: "der" })).to.deep.equal(publicKeyOf(akPublic).export({ type: "spki", format: "der" }));

    const client = new TpmClient((c) => tpm.execute(c));
    expect(await loadedHandles(client, 0x80)).to.deep.equal([]);
    expect(await loadedHandles(client, 0x03)).to.deep.equal([]);
  });

  it("attests with an ECC EK and an ECC AK, and auto picks ECC when NV holds only an ECC certificate", async () => {
    const tpm = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: SEED(2) });
    const fake = await service();
    const outcome = await attest(tpm, fake, { ak: "ecc" });
    expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    const [request] = fake.challenges;
    expect(unmarshal(TPM2B_PUBLIC, request!.ekPublic).type).to.equal(TPM_ALG.ECC);
    expect(unmarshal(TPM2B_PUBLIC, request!.akPublic).type).to.equal(TPM_ALG.ECC);
    expect(Buffer.from(request!.ekCertificate!)).to.deep.equal(Buffer.from(tpm.runtime.nvIndex(EK_CERT_NV_INDEX.ecc)!.data));
    expect(new X509Certificate(outcome.akCertificate!).publicKey.asymmetricKeyType).to.equal("ec");
  });

  it("fetches a firmware TPM's EK certificate from its vendor's endpoint (Intel-style JSON)", async () => {
    const tpm = await manufactureTpm({ vendor: "INTC", eks: ["rsa"], home, seed: SEED(3) });
    const client = new TpmClient((c) => tpm.execute(c));
    await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
    const ek = await client.run("CreatePrimary", {
      handles: [TPM_RH.ENDORSEMENT],
      auths: [{ kind: "password", authValue: Buffer.alloc(0) }],
      params: { inSensitive: { userAuth: Buffer.alloc(0), data: Buffer.alloc(0) }, inPublic: ekTemplateRsa(), outsideInfo: Buffer.alloc(0), creationPCR: [] },
    });
    await client.flush(ek.handle);
    const pki = await loadVendorPki(home, "INTC");
    const der = await issueEkCertificate(pki, {
      ekPublicKey: publicKeyOf(ek.outPublic),
      kind: "rsa",
      model: "PTT",
      version: 0x00100000,
      specification: { family: "2.0", level: 0, revision: 164 },
      notBefore: new Date(Date.now() - 86_400_000),
    });
    const fake = await service({
      vendorEkCertificates: [{ style: "intel", host: "pki.intc.vendors.apsim.test", ekPublic: ek.outPublic, der }],
      vendorPkis: [pki],
    });
    const outcome = await attest(tpm, fake, { ek: "auto" });
    expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    expect(fake.requests.vendor).to.equal(1);
    expect(Buffer.from(fake.challenges[0]!.ekCertificate!)).to.deep.equal(Buffer.from(der));
    expect(fake.challenges[0]!.ekIntermediates).to.have.length(1);
  });

  it("goes on without a certificate when the vendor has none for this EK, leaving it to the service", async () => {
    const tpm = await manufactureTpm({ vendor: "AMD", eks: ["rsa"], home, seed: SEED(4) });
    const fake = await service();
    const outcome = await attest(tpm, fake);
    expect(outcome.ok).to.equal(true);
    expect(outcome.steps[2]).to.include({ name: "ekCertificate", status: "skipped", code: "NOT_FOUND" });
    expect(fake.challenges[0]!.ekCertificate).to.equal(undefined);
  });

  describe("retries", () => {
    let tpm: TpmEmulator;
    before(async () => {
      tpm = await manufactureTpm({ vendor: "NTC", eks: ["ecc"], home, seed: SEED(5) });
    });

    it("gives up after the retry budget with 0x81039001, backing off exponentially with seeded jitter", async () => {
      const overloaded = { status: 503, code: "OVERLOADED" };
      const fake = await service({ script: { challenge: Array<ScriptedAnswer>(5).fill(overloaded) } });
      const outcome = await attest(tpm, fake, { ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "RETRY_BUDGET_EXHAUSTED", hresult: "0x81039001", akCertificate: null });
      expect(fake.requests.challenge).to.equal(5);
      expect(outcome.steps.filter((s) => s.name === "challenge").map((s) => s.code)).to.deep.equal(Array(5).fill("OVERLOADED"));
      expect(delays).to.have.length(4);
      delays.forEach((ms, i) => expect(ms).to.be.within(500 * 2 ** i, 1000 * 2 ** i));
      const first = [...delays];

      delays.length = 0;
      const again = await service({ script: { challenge: Array<ScriptedAnswer>(5).fill(overloaded) } });
      await attest(tpm, again, { ak: "ecc" });
      expect(delays).to.deep.equal(first);
    });

    it("succeeds when the service recovers within the budget, honouring Retry-After", async () => {
      const fake = await service({ script: { challenge: [{ status: 503, code: "OVERLOADED", retryAfterSeconds: 20 }, "drop"] } });
      const outcome = await attest(tpm, fake, { ak: "ecc" });
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
      expect(fake.requests.challenge).to.equal(3);
      expect(delays[0]).to.equal(20_000);
    });

    it("starts again from the challenge when the proof comes too late (NONCE_EXPIRED)", async () => {
      const fake = await service({ script: { proof: [{ status: 400, code: "NONCE_EXPIRED", retryable: true }] } });
      const outcome = await attest(tpm, fake, { ak: "ecc" });
      expect(outcome.ok).to.equal(true);
      expect(fake.requests).to.include({ challenge: 2, proof: 2 });
    });

    it("does not retry a permanent rejection, and reports its code and HRESULT", async () => {
      const fake = await service({ script: { challenge: [{ status: 400, code: "EK_CERT_UNTRUSTED" }] } });
      const outcome = await attest(tpm, fake, { ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "EK_CERT_UNTRUSTED", hresult: "0x80190190" });
      expect(fake.requests.challenge).to.equal(1);
      expect(delays).to.deep.equal([]);
      const client = new TpmClient((c) => tpm.execute(c));
      expect(await loadedHandles(client, 0x80)).to.deep.equal([]);
    });

    it("does not retry a code this version does not know, even when the body says retryable", async () => {
      const fake = await service({ script: { challenge: [{ status: 400, code: "SOMETHING_NEW", retryable: true }] } });
      const outcome = await attest(tpm, fake, { ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "SOMETHING_NEW" });
      expect(fake.requests.challenge).to.equal(1);
    });

    it("reports 0x800705B4 when the service never answers", async () => {
      const fake = await service();
      const url = fake.url;
      await fake.close();
      const outcome = await attestDevice({ tpm: TpmDevice.fromEmulator(tpm), serverUrl: url, ca: fake.ca, retry, ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "SERVICE_UNREACHABLE", hresult: "0x800705b4" });
      expect(outcome.steps.filter((s) => s.name === "challenge")).to.have.length(5);
      expect(delays).to.have.length(4);
    });

    it("does not retry a service whose TLS certificate it does not trust", async () => {
      const fake = await service();
      const outcome = await attestDevice({ tpm: TpmDevice.fromEmulator(tpm), serverUrl: fake.url, retry, ak: "ecc" });
      expect(outcome).to.include({ ok: false, code: "SERVICE_UNREACHABLE", hresult: "0x800705b4" });
      expect(outcome.steps.filter((s) => s.name === "challenge")).to.have.length(1);
      expect(delays).to.deep.equal([]);
    });

    it("counts dropped connections mixed with overload as an exhausted budget, not as unreachable", async () => {
      const fake = await service({ script: { challenge: ["drop", { status: 503, code: "OVERLOADED" }, "drop"] } });
      const outcome = await attest(tpm, fake, { ak: "ecc", retry: { ...retry, attempts: 3 } });
      expect(outcome).to.include({ code: "RETRY_BUDGET_EXHAUSTED", hresult: "0x81039001" });
      expect(fake.requests.challenge).to.equal(3);
    });

    it("stops at the overall deadline of the device clock", async () => {
      const clock = new ManualClock();
      const fake = await service({ script: { challenge: Array<ScriptedAnswer>(5).fill({ status: 503, code: "OVERLOADED" }) } });
      const outcome = await attest(tpm, fake, {
        ak: "ecc",
        clock,
        timeoutMs: 2500,
        retry: { seed: 1, delay: (ms) => (clock.advance(ms), Promise.resolve()) },
      });
      expect(outcome).to.include({ ok: false, code: "SERVICE_UNREACHABLE" });
      expect(fake.requests.challenge).to.be.below(5);
    });
  });

  describe("the AIK certificate received", () => {
    let tpm: TpmEmulator;
    before(async () => {
      tpm = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: SEED(6) });
    });
    for (const defect of ["other-key", "no-eku", "broken-chain"] as const) {
      it(`is refused when it has a defect: ${defect}`, async () => {
        const fake = await service({ aikDefect: defect });
        const outcome = await attest(tpm, fake, { ak: "ecc" });
        expect(outcome).to.include({ ok: false, code: "AIK_CERT_INVALID", akCertificate: null });
        expect(outcome.steps.at(-1)).to.include({ name: "aikCertificate", status: "failed" });
      });
    }
  });

  describe("the certificate cache devices share", () => {
    it("downloads the intermediate and verifies the AIK chain once for all devices sharing it", async () => {
      const pki = await loadVendorPki(home, "IFX");
      const fake = await service({ vendorPkis: [pki] });
      const certificateCache = new CertificateCache();
      const tpms = await Promise.all([11, 12, 13].map((n) => manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: SEED(n) })));
      const first = await attest(tpms[0]!, fake, { ak: "ecc", certificateCache });
      expect(first.ok, JSON.stringify(first)).to.equal(true);
      const downloadsOfOne = fake.requests.aia;
      expect(downloadsOfOne).to.equal(2); // the issuing CA, then its root (which ends the walk, unsent)
      const others = await Promise.all(tpms.slice(1).map((tpm) => attest(tpm, fake, { ak: "ecc", certificateCache })));
      expect(others.map((o) => o.ok)).to.deep.equal([true, true]);
      expect(fake.requests.aia).to.equal(downloadsOfOne);
      const issuing = Buffer.from(pki.chainFor("ecc")[0].certificate.rawData);
      expect(fake.challenges.map((c) => c.ekIntermediates.map((der) => Buffer.from(der)))).to.deep.equal([[issuing], [issuing], [issuing]]);
      expect(certificateCache.stats.chainsVerified).to.equal(1);
    });

    it("downloads again a CA certificate it holds that did not issue the certificate below", async () => {
      const pki = await loadVendorPki(home, "IFX");
      const fake = await service({ vendorPkis: [pki] });
      const [issuing] = pki.chainFor("ecc");
      const certificateCache = new CertificateCache();
      const stranger = Buffer.from(pki.chainFor("rsa")[0].certificate.rawData);
      await certificateCache.caCertificate(resolveVirtualUrl(issuing.aiaUrl, fake.url), () => Promise.resolve(stranger));
      const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: SEED(14) });
      const outcome = await attest(tpm, fake, { ak: "ecc", certificateCache });
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
      expect(fake.challenges[0]!.ekIntermediates.map((der) => Buffer.from(der))).to.deep.equal([Buffer.from(issuing.certificate.rawData)]);
    });

    it("still checks each AIK certificate's own signature and key when its chain was verified before", async () => {
      const tpm = await manufactureTpm({ vendor: "STM", eks: ["ecc"], home, seed: SEED(15) });
      const certificateCache = new CertificateCache();
      const options: FakeServiceOptions = { home, aikDefect: "none" };
      const fake = await startFakeAttestationService(options);
      services.push(fake);
      const good = await attest(tpm, fake, { ak: "ecc", certificateCache });
      expect(good.ok, JSON.stringify(good)).to.equal(true);
      (options as { aikDefect: FakeServiceOptions["aikDefect"] }).aikDefect = "other-key";
      const bad = await attest(tpm, fake, { ak: "ecc", certificateCache });
      expect(bad).to.include({ ok: false, code: "AIK_CERT_INVALID" });
      expect(certificateCache.stats.chainsVerified).to.equal(1);
    });
  });

  describe("the TPM", () => {
    it("reports NO_TPM (0x800705B4) for a TPM 1.2 part", async () => {
      const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: SEED(7), faults: [parseTpmFault("tpm12")] });
      const fake = await service();
      const outcome = await attest(tpm, fake);
      expect(outcome).to.include({ ok: false, code: "NO_TPM", hresult: "0x800705b4" });
      expect(outcome.steps).to.have.length(1);
      expect(outcome.steps[0]).to.include({ name: "tpmProperties", status: "failed" });
      expect(fake.requests.challenge).to.equal(0);
    });

    it("reports NO_TPM for a location where no TPM is", async () => {
      const fake = await service();
      const outcome = await attestDevice({ tpm: path.join(home, "no-such-tpm"), serverUrl: fake.url, ca: fake.ca, retry });
      expect(outcome).to.include({ ok: false, code: "NO_TPM" });
    });

    it("reports TPM_COMMAND_FAILED when the TPM goes into failure mode", async () => {
      const tpm = await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: SEED(8), faults: [parseTpmFault("failure-mode:4")] });
      const fake = await service();
      const outcome = await attest(tpm, fake);
      expect(outcome).to.include({ ok: false, code: "TPM_COMMAND_FAILED" });
      expect(outcome.steps.at(-1)!.status).to.equal("failed");
    });

    it("attests a real swtpm over swtpm:// with RSA keys (no EK certificate: the service is left to decide)", async function () {
      requireTool(this, ["swtpm"]);
      const swtpm = await startSwtpm();
      try {
        const fake = await service();
        const outcome = await attestDevice({ tpm: `swtpm://127.0.0.1:${swtpm.port}`, serverUrl: fake.url, ca: fake.ca, retry });
        expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
        expect(outcome.steps[2]).to.include({ name: "ekCertificate", status: "skipped", code: "EK_CERT_MISSING" });
        expect(fake.challenges[0]!.tpm).to.deep.include({ manufacturer: 0x49424d00, family: "2.0" });
      } finally {
        await swtpm.stop();
      }
    });

    it("opens a TPM state directory by location, attests, and closes it", async () => {
      const state = path.join(home, "state-ifx");
      await manufactureTpm({ vendor: "IFX", eks: ["ecc"], home, seed: SEED(9), stateDir: state });
      const fake = await service();
      const outcome = await attestDevice({ tpm: state, serverUrl: fake.url, ca: fake.ca, retry, ak: "ecc" });
      expect(outcome.ok, JSON.stringify(outcome)).to.equal(true);
    });
  });
});
