/**
 * Fleet throughput and memory, printed as tables; never a test (numbers depend on the machine).
 *
 *   npm run bench:fleet -- [--devices 1000] [--vendors IFX:40,STM:20,NTC:10,INTC:20,AMD:10] [--concurrency 64]
 *                          [--idle 1000] [--home DIR] [--json out.json]
 *
 * 1. A warm-up fleet of the same devices fills the TPM factory cache (`--home`, default a fixed folder under the
 *    system's temporary directory, kept between runs), then the measured fleet runs against freshly started
 *    embedded services: devices per second, per-step p50/p95, peak RSS.
 * 2. Beside it the limit: the raw node:crypto cost of one ECC attestation's public-key work (device and service
 *    sides together, one core each) and of one AIK certificate issue.
 * 3. Memory of idle devices: `--idle` factory-made TPMs held in this process, heap per device after GC.
 */
import { createECDH, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TpmDevice } from "../agent/index.js";
import { issueAikCertificate, loadAikIssuingCa, loadVendorPki } from "../certs/index.js";
import { TpmEmulator } from "../tpm-emulator/index.js";
import { TpmFactory, planFleet, parseVendorWeights, runFleet, type FleetReport } from "../fleet/index.js";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const DEVICES = Number(opt("devices", "1000"));
const VENDORS = opt("vendors", "IFX:40,STM:20,NTC:10,INTC:20,AMD:10");
const CONCURRENCY = Number(opt("concurrency", "64"));
const IDLE = Number(opt("idle", "1000"));
const HOME = opt("home", path.join(tmpdir(), "apsim-bench-fleet"));
const JSON_OUT = opt("json", "");

function rate(work: () => void, ms = 300): number {
  for (let i = 0; i < 20; i++) work();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    work();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

async function asyncRate(work: () => Promise<unknown>, ms = 500): Promise<number> {
  for (let i = 0; i < 5; i++) await work();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await work();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

/**
 * µs of public-key work in one ECC attestation. Device: two ECDSA signatures (CertifyCreation, Quote) and one
 * ECDH (ActivateCredential). Service: three ECDSA verifications (EK certificate, CertifyCreation, quote), one ECDH
 * key pair and ECDH (MakeCredential), one ECDSA signature (the token) and one RSA-2048 signature (the AIK
 * certificate: the AIK CAs are RSA). The X.509 library's cost of issuing the AIK certificate is printed beside it,
 * not counted in the limit.
 */
async function limitMicros(): Promise<{ perAttestationUs: number; aikIssuePerSec: number; rows: [string, number][] }> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const digest = randomBytes(32);
  const signature = sign("sha256", digest, privateKey);
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const peer = createECDH("prime256v1");
  peer.generateKeys();
  const signRate = rate(() => sign("sha256", digest, privateKey));
  const verifyRate = rate(() => verify("sha256", digest, publicKey, signature));
  const rsaSignRate = rate(() => sign("sha256", digest, rsa.privateKey));
  const ecdhRate = rate(() => {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    ecdh.computeSecret(peer.getPublicKey());
  });
  const pki = await loadVendorPki(HOME, "IFX");
  const issuingCa = await loadAikIssuingCa(HOME, "IFX", pki.issuerFor("ecc").certificate);
  const akKeys = await globalThis.crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const now = new Date();
  const aikIssuePerSec = await asyncRate(() =>
    issueAikCertificate({
      issuingCa,
      akPublicKey: akKeys.publicKey,
      tpm: { manufacturerId: 0x49465800, model: "SLB9670", version: 0x00100010 },
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
    }),
  );
  const us = (perSec: number) => 1e6 / perSec;
  const device = 2 * us(signRate) + us(ecdhRate);
  const service = 3 * us(verifyRate) + us(ecdhRate) + us(signRate) + us(rsaSignRate);
  return {
    perAttestationUs: Math.max(device, service),
    aikIssuePerSec,
    rows: [
      ["ECDSA P-256 sign /s", signRate],
      ["ECDSA P-256 verify /s", verifyRate],
      ["ECDH P-256 keygen+derive /s", ecdhRate],
      ["RSA-2048 sign /s", rsaSignRate],
      ["AIK certificate issue (@peculiar/x509) /s", aikIssuePerSec],
      ["device public-key work µs/attestation", device],
      ["service public-key work µs/attestation", service],
    ],
  };
}

async function idleHeapPerDevice(): Promise<{ devices: number; bytesPerDevice: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const factory = new TpmFactory(HOME);
  const plans = planFleet({ devices: IDLE, seed: "b0", vendors: parseVendorWeights("IFX:1,INTC:1"), faults: { tpm: [], vendor: [] } });
  const states = await Promise.all(plans.map((plan) => factory.stateOf({ vendor: plan.vendor, seed: plan.seed, faults: [], eks: ["ecc"] })));
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const held: TpmDevice[] = states.map((state) => TpmDevice.fromEmulator(TpmEmulator.fromStateBytes(state)));
  gc?.();
  const after = process.memoryUsage().heapUsed;
  if (held.length !== IDLE) throw new Error("lost devices");
  return { devices: held.length, bytesPerDevice: (after - before) / held.length };
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

async function main(): Promise<void> {
  mkdirSync(HOME, { recursive: true, mode: 0o700 });
  process.stderr.write(`warming the factory under ${HOME} with ${DEVICES} devices ...\n`);
  await runFleet({ devices: DEVICES, home: HOME, vendors: VENDORS, concurrency: CONCURRENCY });
  process.stderr.write("measuring ...\n");
  const result = await runFleet({ devices: DEVICES, home: HOME, vendors: VENDORS, concurrency: CONCURRENCY });
  const report: FleetReport = result.report;
  const limit = await limitMicros();
  const idle = await idleHeapPerDevice();
  const limitPerSec = 1e6 / limit.perAttestationUs;

  console.log(
    table([
      ["fleet", "devices", "succeeded", "devices/s", "limit /s", "ratio", "peak RSS MiB", "factory reused"],
      [
        VENDORS,
        String(report.devices),
        String(report.succeeded),
        report.devicesPerSecond.toFixed(1),
        limitPerSec.toFixed(0),
        (report.devicesPerSecond / limitPerSec).toFixed(3),
        (report.peakRssBytes / 2 ** 20).toFixed(0),
        String(result.factory.reused),
      ],
    ]),
  );
  console.log("");
  console.log(table([["step", "p50 ms", "p95 ms"], ...Object.entries(report.steps).map(([n, s]) => [n, s.p50.toFixed(1), s.p95.toFixed(1)])]));
  console.log("");
  console.log(table([["limit (node:crypto, this run)", "value"], ...limit.rows.map(([n, v]) => [n, v.toFixed(0)])]));
  console.log("");
  console.log(
    table([
      ["idle devices held", "heap per device KiB", "target KiB"],
      [String(idle.devices), (idle.bytesPerDevice / 1024).toFixed(1), "1024"],
    ]),
  );
  if (JSON_OUT) {
    writeFileSync(
      JSON_OUT,
      JSON.stringify({ report, limitPerSec, limit: Object.fromEntries(limit.rows), idleHeapBytesPerDevice: idle.bytesPerDevice }, null, 2) + "\n",
    );
  }
}

await main();
