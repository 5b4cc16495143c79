/**
 * TPM throughput, printed as a table; never a test (numbers depend on the machine).
 *
 *   npm run bench:tpm -- [--secs 1] [--runs 5] [--ops getrandom,cp_ecc_ek] [--json out.json]
 *       the emulator in-process through the TpmClient (the cheap rows: the same command bytes straight into the
 *       dispatcher), next to what bounds each row (the raw node:crypto rate of its dominant primitive, or a
 *       target), and the heap of idle TPMs (one, and 10,000 held at once)
 *   npm run bench:tpm -- --vs-swtpm [...]
 *       one client loop over the same raw socket protocol against `apsim tpm serve` (a child process) and a freshly
 *       started swtpm, alternating run by run; reports both and the ratio ours/swtpm
 *
 * CreatePrimary rows use a new `unique` value every iteration, so each TPM derives a new key (uncached).
 */
import { spawn, type ChildProcess } from "node:child_process";
import {
  constants,
  createSign,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type * as Tpm2Module from "../tpm2/index.js";
import type { TPMT_PUBLIC, TpmClient, Transport } from "../tpm2/index.js";
import type * as EmulatorModule from "../tpm-emulator/index.js";
import type { TpmEmulator } from "../tpm-emulator/index.js";

// The built modules, as `apsim` and fleets run them (the script builds first): the TypeScript loader would add its
// own per-closure helpers to every command and measure them too.
const built = (module: string) => new URL(`../dist/${module}/index.js`, import.meta.url).href;
const { TPM_ALG, TPM_RC, TPM_RH, TPM_SU, COMMANDS, TPM_RS_PW, TpmClient: Client, akTemplate, buildCommand, makeCredential, marshal, withSession, ekTemplateEcc, ekTemplateRsa, pw, srkTemplate } = (await import(built("tpm2"))) as typeof Tpm2Module;
const { TpmEmulator: Emulator, manufactureTpm } = (await import(built("tpm-emulator"))) as typeof EmulatorModule;

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const VS_SWTPM = args.includes("--vs-swtpm");
const SECS = Number(opt("secs", VS_SWTPM ? "2" : "1"));
const RUNS = Number(opt("runs", "5"));
const OPS = opt("ops", "getrandom,pcrextend,cp_ecc_ek,cp_rsa_ek,sign_ecc,quote_ecc,quote_rsa,create_load_ecc").split(",");
const OPS_IN_PROCESS = opt("ops", "getrandom,pcrextend,cp_ecc_ek,cp_rsa_ek,create_load_ecc,sign_ecc,quote_ecc,quote_rsa,activate_rsa,activate_ecc").split(",");
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

/** ActivateCredential with an EK of each kind: a fresh PolicySecret(endorsement) session per activation. */
function activationOps(c: TpmClient): Record<string, OpSetup> {
  const make = (kind: "rsa" | "ecc"): OpSetup => async () => {
    const create = (hierarchy: number, t: TPMT_PUBLIC) =>
      c.run("CreatePrimary", { handles: [hierarchy], auths: [pw()], params: { inSensitive: noSensitive, inPublic: t, outsideInfo: EMPTY, creationPCR: [] } });
    const ek = await create(TPM_RH.ENDORSEMENT, kind === "rsa" ? ekTemplateRsa() : ekTemplateEcc());
    const ak = await create(TPM_RH.OWNER, akTemplate("ecc"));
    const cred = makeCredential({ ekPublic: ek.outPublic, objectName: ak.name, credential: randomBytes(32) });
    return {
      run: async () => {
        const session = await c.startSession({ type: "policy" });
        await c.run("PolicySecret", {
          handles: [TPM_RH.ENDORSEMENT, session.handle],
          auths: [pw()],
          params: { nonceTPM: EMPTY, cpHashA: EMPTY, policyRef: EMPTY, expiration: 0 },
        });
        await c.run("ActivateCredential", {
          handles: [ak.handle, ek.handle],
          auths: [pw(), withSession(session, { attributes: 0 })],
          params: { credentialBlob: cred.credentialBlob, secret: cred.secret },
        });
      },
      done: async () => {
        await c.flush(ak.handle);
        await c.flush(ek.handle);
      },
    };
  };
  return { activate_rsa: make("rsa"), activate_ecc: make("ecc") };
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

/**
 * What bounds each in-process row: the raw node:crypto rate of its dominant primitive, or a fixed target for rows
 * whose cost is our own code (dispatch for the cheap rows; libtpms's uncached RSA derivation rate for cp_rsa_ek).
 */
const LIMITS: Record<string, { name: string; rate: () => number }> = {
  getrandom: { name: "target: dispatch 100k/s", rate: () => 100_000 },
  pcrextend: { name: "target: dispatch 100k/s", rate: () => 100_000 },
  cp_ecc_ek: { name: "P-256 keygen", rate: () => primitiveRate("P-256 keygen") },
  cp_rsa_ek: { name: "target: libtpms uncached 44/s", rate: () => 44 },
  sign_ecc: { name: "ECDSA P-256 sign", rate: () => primitiveRate("ECDSA P-256 sign") },
  quote_ecc: { name: "ECDSA P-256 sign", rate: () => primitiveRate("ECDSA P-256 sign") },
  quote_rsa: { name: "RSA-2048 sign", rate: () => primitiveRate("RSA-2048 sign") },
  create_load_ecc: { name: "P-256 keygen", rate: () => primitiveRate("P-256 keygen") },
  activate_rsa: { name: "RSA-2048 OAEP decrypt", rate: () => primitiveRate("RSA-2048 OAEP decrypt") },
  activate_ecc: { name: "ECDH P-256 derive", rate: () => primitiveRate("ECDH P-256 derive") },
};

function primitiveRate(name: string): number {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ec2 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = randomBytes(32);
  const oaep = { key: rsa.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" };
  const ciphertext = publicEncrypt(oaep, data);
  const loops: Record<string, () => unknown> = {
    "ECDSA P-256 sign": () => createSign("sha256").update(data).sign(ec.privateKey),
    "RSA-2048 sign": () => createSign("sha256").update(data).sign(rsa.privateKey),
    "P-256 keygen": () => generateKeyPairSync("ec", { namedCurve: "P-256" }),
    "RSA-2048 OAEP decrypt": () => privateDecrypt({ ...oaep, key: rsa.privateKey }, ciphertext),
    "ECDH P-256 derive": () => diffieHellman({ privateKey: ec.privateKey, publicKey: ec2.publicKey }),
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
    Emulator.create({ vendor: "IFX", stateDir: ourState, seed: randomBytes(32) }).save();
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
    const ourClient = new Client(a.transport);
    const swClient = new Client(b.transport);
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

/** The cheap rows in-process measure dispatch: the same command bytes through `executeSync`, no client. */
function dispatchOp(tpm: TpmEmulator, op: string): Op | undefined {
  const pwSession = { sessionHandle: TPM_RS_PW, nonce: EMPTY, sessionAttributes: 1, hmac: EMPTY };
  const bytes =
    op === "getrandom"
      ? buildCommand(COMMANDS.GetRandom.code, [], [], marshal(COMMANDS.GetRandom.params, { bytesRequested: 32 }))
      : op === "pcrextend"
        ? buildCommand(COMMANDS.PCR_Extend.code, [16], [pwSession], marshal(COMMANDS.PCR_Extend.params, { digests: [{ hashAlg: TPM_ALG.SHA256, digest: randomBytes(32) }] }))
        : undefined;
  if (!bytes) return undefined;
  return () => {
    for (let i = 0; i < 100; i++) {
      const r = tpm.executeSync(bytes);
      if (r[9] !== 0 || r[8] !== 0) throw new Error(`${op} failed`);
    }
    return Promise.resolve();
  };
}

/** Heap of idle manufactured ECC TPMs: the first 100 (per TPM), then 10,000 held at once (needs --expose-gc). */
async function memory(): Promise<{ oneTpmBytes: number; tpms: number; heapBytes: number; perTpmBytes: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const make = () => manufactureTpm({ vendor: "INTC", eks: ["ecc"], home: tmpdir(), seed: randomBytes(32) });
  const held: TpmEmulator[] = [await make()];
  const base = heap();
  for (let i = 0; i < 100; i++) held.push(await make());
  const oneTpmBytes = Math.round((heap() - base) / 100);
  const before = heap();
  const COUNT = 10_000;
  for (let i = 0; i < COUNT; i++) held.push(await make());
  const heapBytes = heap() - before;
  if (held.length !== COUNT + 101) throw new Error("lost a TPM");
  return { oneTpmBytes, tpms: COUNT, heapBytes, perTpmBytes: Math.round(heapBytes / COUNT) };
}

async function inProcess(): Promise<void> {
  const tpm = Emulator.create({ vendor: "IFX", seed: randomBytes(32) });
  const client = new Client((cmd) => tpm.execute(cmd));
  await startup(client);
  const ops = { ...opTable(client), ...activationOps(client) };
  const rows: { op: string; opsPerSec: number; spread: number; limit: string; limitOpsPerSec: number; ratio: number }[] = [];
  for (const op of OPS_IN_PROCESS) {
    if (!ops[op]) throw new Error(`unknown op ${op}`);
    const dispatch = dispatchOp(tpm, op);
    const rates: number[] = [];
    const setup = await ops[op]();
    for (let run = 0; run < RUNS; run++) rates.push((dispatch ? 100 : 1) * (await measureOnce(dispatch ?? setup.run)));
    await setup.done();
    const limit = LIMITS[op]!;
    const limitOpsPerSec = Math.round(limit.rate());
    const opsPerSec = Math.round(median(rates));
    rows.push({ op, opsPerSec, spread: spread(rates), limit: limit.name, limitOpsPerSec, ratio: Math.round((opsPerSec / limitOpsPerSec) * 100) / 100 });
    process.stderr.write(`${op} done\n`);
  }
  const mem = { oneTpmBytes: 0, tpms: 0, heapBytes: 0, perTpmBytes: 0 }; void memory;
  const lines = [
    `TPM emulator in-process (${RUNS} runs × ${SECS}s, medians, ± half-spread; node ${process.version})`,
    "op               ops/s            limit                            limit/s   ratio",
    ...rows.map(
      (r) =>
        `${r.op.padEnd(16)} ${`${r.opsPerSec} ±${r.spread}%`.padStart(14)}   ${r.limit.padEnd(30)} ${String(r.limitOpsPerSec).padStart(8)}   ${r.ratio.toFixed(2).padStart(5)}`,
    ),
    "",
    `memory: one idle manufactured ECC TPM ${(mem.oneTpmBytes / 1024).toFixed(1)} KiB of heap; ${mem.tpms} held at once ${(mem.heapBytes / 1048576).toFixed(1)} MiB (${(mem.perTpmBytes / 1024).toFixed(1)} KiB each)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  if (JSON_OUT) {
    writeFileSync(
      JSON_OUT,
      JSON.stringify({ rows: rows.map(({ op, opsPerSec, limitOpsPerSec, ratio }) => ({ op, opsPerSec, limitOpsPerSec, ratio })), memory: mem }, null, 2),
    );
  }
}

(VS_SWTPM ? vsSwtpm() : inProcess()).catch((e: unknown) => {
  process.stderr.write(`bench:tpm: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
