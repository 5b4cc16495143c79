/**
 * TPM throughput, printed as a table; never a test (numbers depend on the machine).
 *
 *   npm run bench:tpm -- [--secs 1] [--runs 3] [--ops getrandom,cp_ecc_ek] [--json out.json]
 *       the emulator in-process (marshal, dispatch, crypto, response), next to the raw node:crypto rate of each
 *       row's dominant primitive (the limit)
 *   npm run bench:tpm -- --vs-swtpm [...]
 *       one client loop over the same raw socket protocol against `apsim tpm serve` (a child process) and a freshly
 *       started swtpm, alternating run by run; reports both and the ratio ours/swtpm
 *
 * CreatePrimary rows use a new `unique` value every iteration, so each TPM derives a new key (uncached).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  TPM_ALG,
  TPM_RC,
  TPM_RH,
  TPM_SU,
  TpmClient,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  pw,
  srkTemplate,
  type TPMT_PUBLIC,
  type Transport,
} from "../tpm2/index.js";
import { TpmEmulator } from "../tpm-emulator/index.js";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const VS_SWTPM = args.includes("--vs-swtpm");
const SECS = Number(opt("secs", VS_SWTPM ? "2" : "1"));
const RUNS = Number(opt("runs", VS_SWTPM ? "5" : "3"));
const OPS = opt("ops", "getrandom,pcrextend,cp_ecc_ek,cp_rsa_ek,sign_ecc,quote_ecc,quote_rsa,create_load_ecc").split(",");
const JSON_OUT = opt("json", "");

const EMPTY = Buffer.alloc(0);
const noSensitive = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const PCRS_0_7 = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }];
const RESUBMIT = new Set<number>([TPM_RC.RETRY, TPM_RC.YIELDED, TPM_RC.TESTING]);

/** One persistent raw-stream connection (the swtpm TCTI framing), one command in flight. */
async function rawSocketTransport(port: number): Promise<{ transport: Transport; close: () => void }> {
  const socket: Socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let pending: { resolve: (b: Buffer) => void; buf: Buffer } | undefined;
  socket.on("data", (d: Buffer) => {
    if (!pending) return;
    pending.buf = Buffer.concat([pending.buf, d]);
    if (pending.buf.length >= 10 && pending.buf.length >= pending.buf.readUInt32BE(2)) {
      const p = pending;
      pending = undefined;
      p.resolve(p.buf);
    }
  });
  const once = (cmd: Uint8Array) =>
    new Promise<Buffer>((resolve) => {
      pending = { resolve, buf: Buffer.alloc(0) };
      socket.write(cmd);
    });
  // libtpms answers the first DA-protected authorization with TPM_RC_RETRY; resubmit as ESYS does
  const transport: Transport = async (cmd) => {
    for (;;) {
      const r = await once(cmd);
      if (!RESUBMIT.has(r.readUInt32BE(6))) return r;
    }
  };
  return { transport, close: () => socket.destroy() };
}

function withUnique(t: TPMT_PUBLIC, i: number): TPMT_PUBLIC {
  const tag = Buffer.alloc(8);
  tag.writeUInt32BE(i);
  tag.writeUInt32BE(process.pid, 4);
  if (t.type === TPM_ALG.RSA) {
    const u = Buffer.alloc(256);
    tag.copy(u);
    return { ...t, unique: u };
  }
  const x = Buffer.alloc(32);
  tag.copy(x);
  return { ...t, unique: { x, y: Buffer.alloc(32) } };
}

type Op = (i: number) => Promise<void>;
/** Makes the objects an op needs (outside the timed loop); returns the op and its cleanup. */
type OpSetup = () => Promise<{ run: Op; done: () => Promise<void> }>;

async function startup(c: TpmClient): Promise<void> {
  const started = await c.call("Startup", { params: { startupType: TPM_SU.CLEAR } });
  if (started.rc !== TPM_RC.SUCCESS && started.rc !== TPM_RC.INITIALIZE) throw new Error(`Startup: 0x${started.rc.toString(16)}`);
  const caps = await c.run("GetCapability", { params: { capability: 1, property: 0x80000000, propertyCount: 64 } });
  for (const h of caps.capabilityData.data as number[]) await c.flush(h);
}

/**
 * The ops of shared/scripts/tpm-bench.mjs. Each keeps at most two objects loaded, so a TPM with three object
 * slots (swtpm, a small hardware TPM) runs the same command sequences as ours.
 */
function opTable(c: TpmClient): Record<string, OpSetup> {
  const digest = randomBytes(32);
  const nullTicket = { tag: 0x8024, hierarchy: TPM_RH.NULL, digest: EMPTY };
  const signTemplate = { ...akTemplate("ecc"), objectAttributes: akTemplate("ecc").objectAttributes & ~(1 << 16) };
  const primary = (hierarchy: number, t: TPMT_PUBLIC) =>
    c.run("CreatePrimary", { handles: [hierarchy], auths: [pw()], params: { inSensitive: noSensitive, inPublic: t, outsideInfo: EMPTY, creationPCR: [] } });
  const child = async (parent: number, t: TPMT_PUBLIC) => {
    const k = await c.run("Create", { handles: [parent], auths: [pw()], params: { inSensitive: noSensitive, inPublic: t, outsideInfo: EMPTY, creationPCR: [] } });
    return c.run("Load", { handles: [parent], auths: [pw()], params: { inPrivate: k.outPrivate, inPublic: k.outPublic } });
  };
  const none = () => Promise.resolve();
  const akOp = (kind: "rsa" | "ecc"): OpSetup => async () => {
    const srk = await primary(TPM_RH.OWNER, srkTemplate("ecc"));
    const ak = await child(srk.handle, akTemplate(kind));
    await c.flush(srk.handle);
    return {
      run: async () =>
        void (await c.run("Quote", { handles: [ak.handle], auths: [pw()], params: { qualifyingData: digest, inScheme: NULL_SCHEME, PCRselect: PCRS_0_7 } })),
      done: () => c.flush(ak.handle),
    };
  };
  const cpOp = (template: () => TPMT_PUBLIC): OpSetup => () =>
    Promise.resolve({
      run: async (i: number) => await c.flush((await primary(TPM_RH.ENDORSEMENT, withUnique(template(), i))).handle),
      done: none,
    });
  return {
    getrandom: () =>
      Promise.resolve({ run: async () => void (await c.run("GetRandom", { params: { bytesRequested: 32 } })), done: none }),
    pcrextend: () =>
      Promise.resolve({
        run: async () =>
          void (await c.run("PCR_Extend", { handles: [16], auths: [pw()], params: { digests: [{ hashAlg: TPM_ALG.SHA256, digest }] } })),
        done: none,
      }),
    cp_ecc_ek: cpOp(ekTemplateEcc),
    cp_rsa_ek: cpOp(ekTemplateRsa),
    sign_ecc: async () => {
      const key = await primary(TPM_RH.OWNER, signTemplate);
      return {
        run: async () =>
          void (await c.run("Sign", { handles: [key.handle], auths: [pw()], params: { digest, inScheme: NULL_SCHEME, validation: nullTicket } })),
        done: () => c.flush(key.handle),
      };
    },
    quote_ecc: akOp("ecc"),
    quote_rsa: akOp("rsa"),
    create_load_ecc: async () => {
      const srk = await primary(TPM_RH.OWNER, srkTemplate("ecc"));
      return { run: async () => await c.flush((await child(srk.handle, signTemplate)).handle), done: () => c.flush(srk.handle) };
    },
  };
}

let iteration = 0;
async function measureOnce(fn: Op): Promise<number> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < SECS * 1000 || n < 3) {
    await fn(iteration++);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Half the min–max spread as a percentage of the median. */
const spread = (xs: number[]) => Math.round(((Math.max(...xs) - Math.min(...xs)) / 2 / median(xs)) * 100);

const LIMITS: Record<string, string> = {
  getrandom: "randomBytes(32)",
  pcrextend: "randomBytes(32)",
  cp_ecc_ek: "P-256 keygen",
  cp_rsa_ek: "RSA-2048 keygen",
  sign_ecc: "ECDSA P-256 sign",
  quote_ecc: "ECDSA P-256 sign",
  quote_rsa: "RSA-2048 sign",
  create_load_ecc: "P-256 keygen",
};

function primitiveRate(name: string): number {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = randomBytes(32);
  const loops: Record<string, () => unknown> = {
    "ECDSA P-256 sign": () => createSign("sha256").update(data).sign(ec.privateKey),
    "RSA-2048 sign": () => createSign("sha256").update(data).sign(rsa.privateKey),
    "P-256 keygen": () => generateKeyPairSync("ec", { namedCurve: "P-256" }),
    "RSA-2048 keygen": () => generateKeyPairSync("rsa", { modulusLength: 2048 }),
    "randomBytes(32)": () => randomBytes(32),
  };
  const f = loops[name]!;
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000 || n < 3) {
    f();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

function waitForJsonLine(child: ChildProcess): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as { port: number });
      } catch {
        // not the whole document yet
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) throw new Error(`swtpm exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error("swtpm did not listen");
}

async function freePortPair(): Promise<number> {
  const { createServer } = await import("node:net");
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer().once("error", () => resolve(false)).listen(port + 1, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free && port < 65534) return port;
  }
}

async function vsSwtpm(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "apsim-bench-"));
  const children: ChildProcess[] = [];
  try {
    const ourState = path.join(dir, "ours");
    TpmEmulator.create({ vendor: "IFX", stateDir: ourState, seed: randomBytes(32) }).save();
    // the built `apsim` binary, as users run it (npm run bench:tpm builds first)
    const main = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
    const ours = spawn(process.execPath, [main, "tpm", "serve", "--state", ourState, "--port", "0", "--object-slots", "3", "--json"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(ours);
    const ourPort = (await waitForJsonLine(ours)).port;

    const swPort = await freePortPair();
    const swState = path.join(dir, "swtpm");
    (await import("node:fs")).mkdirSync(swState);
    const sw = spawn(
      "swtpm",
      ["socket", "--tpm2", "--server", `type=tcp,port=${swPort},bindaddr=127.0.0.1`, "--ctrl", `type=tcp,port=${swPort + 1},bindaddr=127.0.0.1`, "--tpmstate", `dir=${swState}`, "--flags", "not-need-init,startup-clear"],
      { stdio: "ignore" },
    );
    children.push(sw);
    await waitForPort(swPort, sw);

    const a = await rawSocketTransport(ourPort);
    const b = await rawSocketTransport(swPort);
    const ourClient = new TpmClient(a.transport);
    const swClient = new TpmClient(b.transport);
    await startup(ourClient);
    await startup(swClient);
    const oursOps = opTable(ourClient);
    const swOps = opTable(swClient);
    const rows: { op: string; opsPerSec: number; swtpmOpsPerSec: number; vsSwtpm: number; spread: number; swtpmSpread: number }[] = [];
    for (const op of OPS) {
      if (!oursOps[op]) throw new Error(`unknown op ${op}`);
      const ourRates: number[] = [];
      const swRates: number[] = [];
      const ourOp = await oursOps[op]();
      const swOp = await swOps[op]!();
      for (let run = 0; run < RUNS; run++) {
        ourRates.push(await measureOnce(ourOp.run));
        swRates.push(await measureOnce(swOp.run));
      }
      await ourOp.done();
      await swOp.done();
      const o = median(ourRates);
      const s = median(swRates);
      rows.push({ op, opsPerSec: Math.round(o), swtpmOpsPerSec: Math.round(s), vsSwtpm: Math.round((o / s) * 100) / 100, spread: spread(ourRates), swtpmSpread: spread(swRates) });
      process.stderr.write(`${op} done\n`);
    }
    a.close();
    b.close();
    const lines = [
      `TPM over the raw socket protocol: apsim tpm serve vs swtpm (${RUNS} alternating runs × ${SECS}s, medians, ± half-spread)`,
      "op               apsim ops/s        swtpm ops/s       apsim/swtpm",
      ...rows.map(
        (r) => `${r.op.padEnd(16)} ${`${r.opsPerSec} ±${r.spread}%`.padStart(14)}   ${`${r.swtpmOpsPerSec} ±${r.swtpmSpread}%`.padStart(14)}   ${r.vsSwtpm.toFixed(2).padStart(10)}`,
      ),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ rows: rows.map(({ op, opsPerSec, swtpmOpsPerSec, vsSwtpm }) => ({ op, opsPerSec, swtpmOpsPerSec, vsSwtpm })) }, null, 2));
  } finally {
    await Promise.all(
      children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => c.once("exit", () => resolve()).kill("SIGTERM")))),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inProcess(): Promise<void> {
  const tpm = TpmEmulator.create({ vendor: "IFX", seed: randomBytes(32) });
  const client = new TpmClient((cmd) => tpm.execute(cmd));
  await startup(client);
  const ops = opTable(client);
  const rows: { op: string; opsPerSec: number; spread: number; limit: string; limitPerSec: number }[] = [];
  for (const op of OPS) {
    if (!ops[op]) throw new Error(`unknown op ${op}`);
    const rates: number[] = [];
    const setup = await ops[op]();
    for (let run = 0; run < RUNS; run++) rates.push(await measureOnce(setup.run));
    await setup.done();
    rows.push({ op, opsPerSec: Math.round(median(rates)), spread: spread(rates), limit: LIMITS[op]!, limitPerSec: Math.round(primitiveRate(LIMITS[op]!)) });
  }
  const lines = [
    `TPM emulator in-process (${RUNS} runs × ${SECS}s, medians, ± half-spread; node ${process.version})`,
    "op               ops/s            limit: node:crypto primitive       /s",
    ...rows.map((r) => `${r.op.padEnd(16)} ${`${r.opsPerSec} ±${r.spread}%`.padStart(14)}   ${r.limit.padEnd(30)} ${String(r.limitPerSec).padStart(7)}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ rows }, null, 2));
}

(VS_SWTPM ? vsSwtpm() : inProcess()).catch((e: unknown) => {
  process.stderr.write(`bench:tpm: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
