/**
 * Attestation throughput end to end, printed as a table; never a test (numbers depend on the machine).
 *
 *   npm run bench:attest -- [--secs 5] [--warmup 1] [--concurrency 64] [--rows ecc,ecc-intc,rsa-ak]
 *                           [--json out.json] [--profile DIR]
 *
 * The services (`apsim up`: vendor endpoints + attestation service, SQLite) run in their own process on a fresh
 * home; the devices run here: one manufactured TPM per lane (made before timing), `--concurrency` lanes each
 * looping attestDevice (TPM properties, EK, EK certificate and AIA intermediates, AK + CertifyCreation,
 * challenge, ActivateCredential, Quote, proof, AIK certificate check) for `--secs`. A row reports completed
 * attestations/s, p50/p99 of the challenge and proof steps, and the CPU each side spent per attestation.
 *
 * Beside it the limit: the raw node:crypto cost of the public-key operations one attestation needs on each side,
 * measured in the same run, and the rate that cost allows with one core per side (2-core machine: services in
 * one process, devices in the other). `--profile DIR` runs the services under `node --cpu-prof`.
 *
 * Rows: ecc = Infineon (EK certificate in NV), ECC EK + ECC AK; ecc-intc = Intel PTT (EK certificate from the
 * vendor's endpoint), ECC EK + ECC AK; rsa-ak = Infineon, ECC EK + RSA-2048 AK (each AK is a fresh RSA key made
 * in the emulator: that key generation, not the service, bounds this row).
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  diffieHellman,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { TpmDevice, attestDevice, type AttestationOutcome } from "../agent/index.js";
import {
  createAikCertificateIssuer,
  issueAikCertificate,
  loadAikIssuingCa,
  loadTlsTrust,
  loadVendorPki,
  readCertificate,
  x509,
} from "../certs/index.js";
import { TpmFactory } from "../fleet/index.js";
import { createHttpsAgent } from "../lib/index.js";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const SECS = Number(opt("secs", "5"));
const WARMUP_SECS = Number(opt("warmup", "1"));
const CONCURRENCY = Number(opt("concurrency", "64"));
const ROWS = opt("rows", "ecc,ecc-intc,rsa-ak").split(",");
const JSON_OUT = opt("json", "");
const PROFILE_DIR = opt("profile", "");
/** The RSA-AK row makes one RSA key per attestation in this process: fewer lanes and seconds keep it bounded. */
const RSA_AK_CONCURRENCY = Number(opt("rsa-concurrency", "8"));

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface RowSpec {
  readonly vendor: string;
  readonly ak: "ecc" | "rsa";
  readonly concurrency: number;
}

const ROW_SPECS: Record<string, RowSpec> = {
  ecc: { vendor: "IFX", ak: "ecc", concurrency: CONCURRENCY },
  "ecc-intc": { vendor: "INTC", ak: "ecc", concurrency: CONCURRENCY },
  "rsa-ak": { vendor: "IFX", ak: "rsa", concurrency: RSA_AK_CONCURRENCY },
};

// --- the services' process ---

interface ServicesProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

function startServicesProcess(home: string): Promise<ServicesProcess> {
  const nodeArgs = ["--import", "tsx"];
  if (PROFILE_DIR !== "") nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, path.join(ROOT, "cli", "main.ts"), "up", "--home", home, "--port", "0", "--db", path.join(home, "bench.sqlite"), "--json"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, APSIM_LOG_LEVEL: "warn" } },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    child.once("exit", (code) => reject(new Error(`apsim up exited (${code}) before it listened:\n${stderr}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.includes("\n")) return;
      const { url } = JSON.parse(stdout) as { url: string };
      child.removeAllListeners("exit");
      resolve({
        url,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** CPU time (user + system) a process has used, ms, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]!.split(" ");
    // fields after "comm)": state is [0], utime [11], stime [12], in clock ticks (USER_HZ, 100 on Linux)
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

// --- devices ---

interface RowResult {
  readonly row: string;
  readonly lanes: number;
  readonly attestationsPerSec: number;
  readonly failed: number;
  readonly failureCodes: Record<string, number>;
  readonly challengeP50: number;
  readonly challengeP99: number;
  readonly proofP50: number;
  readonly proofP99: number;
  /** Median ms per step name over the timed attestations. */
  readonly stepP50: Record<string, number>;
  readonly serviceCpuMsPerAttestation: number | undefined;
  readonly deviceCpuMsPerAttestation: number;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function runRow(name: string, spec: RowSpec, services: ServicesProcess, home: string, ca: string): Promise<RowResult> {
  const factory = new TpmFactory(home);
  const orders = Array.from({ length: spec.concurrency }, (_, lane) => ({
    vendor: spec.vendor,
    seed: Buffer.alloc(32, lane + 1).toString("hex"),
    faults: [],
    eks: ["ecc" as const],
  }));
  const devices = await Promise.all(orders.map(async (order) => TpmDevice.fromEmulator(await factory.open(order))));
  const dispatcher = createHttpsAgent({ ca, connections: spec.concurrency });
  const attest = (device: TpmDevice) => attestDevice({ tpm: device, serverUrl: services.url, dispatcher, ek: "ecc", ak: spec.ak });

  const loop = async (device: TpmDevice, until: number, record: (outcome: AttestationOutcome, end: number) => void) => {
    while (performance.now() < until) {
      const outcome = await attest(device);
      record(outcome, performance.now());
    }
  };

  await Promise.all(devices.map((device) => loop(device, performance.now() + WARMUP_SECS * 1000, () => undefined)));

  const outcomes: AttestationOutcome[] = [];
  let failed = 0;
  const failureCodes: Record<string, number> = {};
  const serviceCpu0 = processCpuMs(services.pid);
  const deviceCpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + SECS * 1000;
  let deviceCpuAtEnd: NodeJS.CpuUsage | undefined;
  let serviceCpuAtEnd: number | undefined;
  const timer = setTimeout(() => {
    deviceCpuAtEnd = process.cpuUsage(deviceCpu0);
    serviceCpuAtEnd = processCpuMs(services.pid);
  }, SECS * 1000);
  await Promise.all(
    devices.map((device) =>
      loop(device, end, (outcome, at) => {
        if (at > end) return;
        if (outcome.ok) outcomes.push(outcome);
        else {
          failed++;
          failureCodes[outcome.code] = (failureCodes[outcome.code] ?? 0) + 1;
        }
      }),
    ),
  );
  clearTimeout(timer);
  deviceCpuAtEnd ??= process.cpuUsage(deviceCpu0);
  serviceCpuAtEnd ??= processCpuMs(services.pid);
  await dispatcher.close();
  for (const device of devices) await device.close();

  const completed = outcomes.length;
  const stepTimes = new Map<string, number[]>();
  for (const outcome of outcomes) {
    for (const step of outcome.steps) {
      if (step.status !== "ok") continue;
      const times = stepTimes.get(step.name) ?? [];
      times.push(step.ms);
      stepTimes.set(step.name, times);
    }
  }
  for (const times of stepTimes.values()) times.sort((a, b) => a - b);
  const challenge = stepTimes.get("challenge") ?? [];
  const proof = stepTimes.get("proof") ?? [];
  const perAttestation = (ms: number) => Math.round((ms / Math.max(1, completed)) * 100) / 100;
  return {
    row: name,
    lanes: spec.concurrency,
    attestationsPerSec: Math.round((completed / SECS) * 10) / 10,
    failed,
    failureCodes,
    challengeP50: percentile(challenge, 50),
    challengeP99: percentile(challenge, 99),
    proofP50: percentile(proof, 50),
    proofP99: percentile(proof, 99),
    stepP50: Object.fromEntries([...stepTimes].map(([step, times]) => [step, percentile(times, 50)])),
    serviceCpuMsPerAttestation:
      serviceCpu0 === undefined || serviceCpuAtEnd === undefined ? undefined : perAttestation(serviceCpuAtEnd - serviceCpu0),
    deviceCpuMsPerAttestation: perAttestation((deviceCpuAtEnd.user + deviceCpuAtEnd.system) / 1000),
  };
}

// --- the limit: raw public-key work of one attestation ---

/** Operations per second of `work`, run for about `ms`. */
function rate(work: () => void, ms = 300): number {
  for (let i = 0; i < 20; i++) work();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 10; i++) work();
    count += 10;
  }
  return count / ((performance.now() - start) / 1000);
}

async function asyncRate(work: () => Promise<unknown>, ms = 500): Promise<number> {
  for (let i = 0; i < 10; i++) await work();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await work();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

interface Primitive {
  readonly op: string;
  readonly perSec: number;
  /** How many one attestation needs on each side (ECC EK + ECC AK). */
  readonly service: number;
  readonly device: number;
  readonly note: string;
}

const AIK_TPM = { manufacturerId: 0x49465800, model: "SLB9672", version: 0x0010000a };

async function primitives(home: string): Promise<Primitive[]> {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ec2 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const message = randomBytes(200);
  const ecSignature = sign("sha256", message, ec.privateKey);
  const rsaSignature = sign("sha256", message, rsa.privateKey);
  const ecPrivate: KeyObject = ec.privateKey;
  const ecPublic: KeyObject = ec2.publicKey;

  const pki = await loadVendorPki(home, "IFX");
  const ekIssuer = pki.issuingCas.find((ca) => ca.certificate.publicKey.algorithm.name === "ECDSA") ?? pki.issuingCas[0]!;
  const aikCa = await loadAikIssuingCa(home, "IFX", ekIssuer.certificate);
  const aikDer = new Uint8Array(
    (
      await issueAikCertificate({
        issuingCa: aikCa,
        akPublicKey: ec.publicKey,
        tpm: AIK_TPM,
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 86_400_000),
      })
    ).rawData,
  );
  const templateIssuer = await createAikCertificateIssuer(aikCa);
  const issue = () =>
    issueAikCertificate({
      issuingCa: aikCa,
      akPublicKey: ec.publicKey,
      tpm: AIK_TPM,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
    });

  return [
    {
      op: "ECDSA P-256 sign",
      perSec: rate(() => sign("sha256", message, ecPrivate)),
      service: 1,
      device: 2,
      note: "service: token (ES256); device: CertifyCreation, Quote",
    },
    {
      op: "ECDSA P-256 verify",
      perSec: rate(() => verify("sha256", message, ec.publicKey, ecSignature)),
      service: 3,
      device: 0,
      note: "CertifyCreation, quote, EK certificate (its CA's cert and CRLs cached)",
    },
    {
      op: "ECC P-256 keygen",
      perSec: rate(() => generateKeyPairSync("ec", { namedCurve: "P-256" })),
      service: 1,
      device: 1,
      note: "service: MakeCredential ephemeral; device: the AK (a fresh primary)",
    },
    {
      op: "ECDH P-256",
      perSec: rate(() => diffieHellman({ privateKey: ecPrivate, publicKey: ecPublic })),
      service: 1,
      device: 1,
      note: "MakeCredential / ActivateCredential",
    },
    {
      op: "RSA-2048 sign",
      perSec: rate(() => sign("sha256", message, rsa.privateKey)),
      service: 1,
      device: 0,
      note: "the AIK certificate (AIK CAs are RSA-2048)",
    },
    {
      op: "RSA-2048 verify",
      perSec: rate(() => verify("sha256", message, rsa.publicKey, rsaSignature)),
      service: 0,
      device: 3,
      note: "device checks the AIK certificate, its CA, the root",
    },
    {
      op: "X.509 issue (issueAikCertificate)",
      perSec: await asyncRate(issue),
      service: 0,
      device: 0,
      note: "@peculiar/x509: includes one RSA-2048 sign (not added to the sum)",
    },
    {
      op: "X.509 issue (service's AIK issuer)",
      perSec: await asyncRate(() => templateIssuer.issue({ akPublicKey: ec.publicKey, tpm: AIK_TPM, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) })),
      service: 0,
      device: 0,
      note: "createAikCertificateIssuer (what the service runs): includes one RSA-2048 sign",
    },
    {
      op: "X.509 parse (@peculiar/x509)",
      perSec: rate(() => new x509.X509Certificate(aikDer)),
      service: 0,
      device: 0,
      note: "for reference (not added to the sum)",
    },
    {
      op: "X.509 read (readCertificate)",
      perSec: rate(() => readCertificate(aikDer)),
      service: 0,
      device: 0,
      note: "the walk the service's EK certificate reader makes (not added to the sum)",
    },
  ];
}

function limitOf(table: readonly Primitive[]): { serviceUs: number; deviceUs: number; perSec: number } {
  const cost = (side: "service" | "device") => table.reduce((sum, p) => sum + (p[side] * 1e6) / p.perSec, 0);
  const serviceUs = cost("service");
  const deviceUs = cost("device");
  return { serviceUs: Math.round(serviceUs), deviceUs: Math.round(deviceUs), perSec: Math.round(1e6 / Math.max(serviceUs, deviceUs)) };
}

// --- main ---

const fmt = (n: number | undefined, width: number, digits = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits)).padStart(width);

async function main(): Promise<void> {
  const home = mkdtempSync(path.join(tmpdir(), "apsim-bench-attest-"));
  let services: ServicesProcess | undefined;
  try {
    process.stderr.write("starting apsim up in its own process…\n");
    services = await startServicesProcess(home);
    const ca = await loadTlsTrust(home);
    const results: RowResult[] = [];
    for (const row of ROWS) {
      const spec = ROW_SPECS[row];
      if (spec === undefined) throw new Error(`unknown row ${row} (rows: ${Object.keys(ROW_SPECS).join(", ")})`);
      process.stderr.write(`${row}: manufacturing ${spec.concurrency} TPMs, ${WARMUP_SECS}s warm-up, ${SECS}s timed…\n`);
      results.push(await runRow(row, spec, services, home, ca));
    }
    await services.stop();
    services = undefined;
    const table = await primitives(home);
    const limit = limitOf(table);

    const lines = [
      `Attestation end to end: services (apsim up, SQLite) in one process, devices here; ${SECS}s per row after ${WARMUP_SECS}s warm-up; node ${process.version}`,
      "row        lanes  attest/s  failed  challenge p50/p99 ms  proof p50/p99 ms  service CPU ms/att  device CPU ms/att",
      ...results.map(
        (r) =>
          `${r.row.padEnd(10)} ${String(r.lanes).padStart(5)} ${fmt(r.attestationsPerSec, 9)} ${String(r.failed).padStart(7)}  ` +
          `${fmt(r.challengeP50, 9)} /${fmt(r.challengeP99, 8)}  ${fmt(r.proofP50, 7)} /${fmt(r.proofP99, 7)}  ` +
          `${fmt(r.serviceCpuMsPerAttestation, 18, 2)}  ${fmt(r.deviceCpuMsPerAttestation, 17, 2)}`,
      ),
      ...results.flatMap((r) => [
        `  ${r.row} step p50 ms: ${Object.entries(r.stepP50).map(([step, ms]) => `${step} ${ms}`).join(", ")}`,
        ...(r.failed > 0 ? [`  ${r.row} failures: ${JSON.stringify(r.failureCodes)}`] : []),
      ]),
      "",
      "limit: raw node:crypto public-key work of one attestation (ECC EK + ECC AK), measured now, one core per side",
      "primitive                             ops/s   service  device   what",
      ...table.map(
        (p) => `${p.op.padEnd(35)} ${fmt(p.perSec, 8, 0)}   ${String(p.service).padStart(7)} ${String(p.device).padStart(7)}   ${p.note}`,
      ),
      `public-key µs per attestation: service ${limit.serviceUs}, device ${limit.deviceUs} → at most ${limit.perSec} attestations/s`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (JSON_OUT !== "") writeFileSync(JSON_OUT, JSON.stringify({ secs: SECS, rows: results, primitives: table, limit }, null, 2));
  } finally {
    await services?.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:attest: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
