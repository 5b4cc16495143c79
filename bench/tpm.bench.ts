/**
 * In-process TPM throughput: the emulator's command path (marshal, dispatch, crypto, response) driven by the
 * TpmClient, next to the raw node:crypto rate of each row's dominant primitive (the limit).
 * Prints a table; `--json FILE` also writes it. Never a test: numbers depend on the machine.
 *
 *   npm run bench:tpm -- [--secs 1] [--runs 3] [--ops getrandom,cp_ecc_ek] [--json out.json]
 */
import { createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import {
  TPM_ALG,
  TPM_RH,
  TPM_SU,
  TpmClient,
  akTemplate,
  ekTemplateEcc,
  ekTemplateRsa,
  pw,
  srkTemplate,
  type TPMT_PUBLIC,
} from "../tpm2/index.js";
import { TpmEmulator, deriveEk } from "../tpm-emulator/index.js";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const SECS = Number(opt("secs", "1"));
const RUNS = Number(opt("runs", "3"));
const OPS = opt("ops", "getrandom,pcrextend,cp_ecc_ek,cp_rsa_ek,sign_ecc,quote_ecc,quote_rsa,create_load_ecc").split(",");
const JSON_OUT = opt("json", "");

const EMPTY = Buffer.alloc(0);
const noSensitive = { userAuth: EMPTY, data: EMPTY };
const NULL_SCHEME = { scheme: TPM_ALG.NULL, details: undefined };
const PCRS_0_7 = [{ hash: TPM_ALG.SHA256, pcrSelect: Buffer.from([0xff, 0, 0]) }];

function withUnique(t: TPMT_PUBLIC, i: number): TPMT_PUBLIC {
  const tag = Buffer.alloc(4);
  tag.writeUInt32BE(i);
  if (t.type === TPM_ALG.RSA) {
    const u = Buffer.alloc(256);
    tag.copy(u);
    return { ...t, unique: u };
  }
  const x = Buffer.alloc(32);
  tag.copy(x);
  return { ...t, unique: { x, y: Buffer.alloc(32) } };
}

async function measure(fn: (i: number) => Promise<void>): Promise<number[]> {
  const rates: number[] = [];
  let i = 0;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < SECS * 1000 || n < 3) {
      await fn(i++);
      n++;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return rates.sort((a, b) => a - b);
}

function primitiveRate(name: string): number {
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const data = randomBytes(32);
  const loops: Record<string, () => void> = {
    "ECDSA P-256 sign": () => createSign("sha256").update(data).sign(ec.privateKey),
    "RSA-2048 sign": () => createSign("sha256").update(data).sign(rsa.privateKey),
    "P-256 keygen": () => generateKeyPairSync("ec", { namedCurve: "P-256" }),
    "RSA-2048 keygen": () => generateKeyPairSync("rsa", { modulusLength: 2048 }),
    "randomBytes(32)": () => randomBytes(32),
  };
  const f = loops[name]!;
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < Math.max(500, SECS * 500) || n < 3) {
    f();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const tpm = TpmEmulator.create({ vendor: "IFX", seed: randomBytes(32) });
  const c = new TpmClient((cmd) => tpm.execute(cmd));
  await c.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  deriveEk(tpm.runtime, "ecc");
  const srk = await c.run("CreatePrimary", {
    handles: [TPM_RH.OWNER],
    auths: [pw()],
    params: { inSensitive: noSensitive, inPublic: srkTemplate("ecc"), outsideInfo: EMPTY, creationPCR: [] },
  });
  const load = async (t: TPMT_PUBLIC) => {
    const k = await c.run("Create", { handles: [srk.handle], auths: [pw()], params: { inSensitive: noSensitive, inPublic: t, outsideInfo: EMPTY, creationPCR: [] } });
    return c.run("Load", { handles: [srk.handle], auths: [pw()], params: { inPrivate: k.outPrivate, inPublic: k.outPublic } });
  };
  const akEcc = await load(akTemplate("ecc"));
  const akRsa = await load(akTemplate("rsa"));
  const signTemplate = { ...akTemplate("ecc"), objectAttributes: akTemplate("ecc").objectAttributes & ~(1 << 16) };
  const signKey = await load(signTemplate);
  const digest = randomBytes(32);
  const nullTicket = { tag: 0x8024, hierarchy: TPM_RH.NULL, digest: EMPTY };

  const ops: Record<string, { run: (i: number) => Promise<void>; limit: string }> = {
    getrandom: { run: async () => void (await c.run("GetRandom", { params: { bytesRequested: 32 } })), limit: "randomBytes(32)" },
    pcrextend: {
      run: async () =>
        void (await c.run("PCR_Extend", { handles: [16], auths: [pw()], params: { digests: [{ hashAlg: TPM_ALG.SHA256, digest }] } })),
      limit: "randomBytes(32)",
    },
    cp_ecc_ek: {
      run: async (i) => {
        const r = await c.run("CreatePrimary", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: { inSensitive: noSensitive, inPublic: withUnique(ekTemplateEcc(), i), outsideInfo: EMPTY, creationPCR: [] } });
        await c.flush(r.handle);
      },
      limit: "P-256 keygen",
    },
    cp_rsa_ek: {
      run: async (i) => {
        const r = await c.run("CreatePrimary", { handles: [TPM_RH.ENDORSEMENT], auths: [pw()], params: { inSensitive: noSensitive, inPublic: withUnique(ekTemplateRsa(), i), outsideInfo: EMPTY, creationPCR: [] } });
        await c.flush(r.handle);
      },
      limit: "RSA-2048 keygen",
    },
    sign_ecc: {
      run: async () =>
        void (await c.run("Sign", { handles: [signKey.handle], auths: [pw()], params: { digest, inScheme: NULL_SCHEME, validation: nullTicket } })),
      limit: "ECDSA P-256 sign",
    },
    quote_ecc: {
      run: async () =>
        void (await c.run("Quote", { handles: [akEcc.handle], auths: [pw()], params: { qualifyingData: digest, inScheme: NULL_SCHEME, PCRselect: PCRS_0_7 } })),
      limit: "ECDSA P-256 sign",
    },
    quote_rsa: {
      run: async () =>
        void (await c.run("Quote", { handles: [akRsa.handle], auths: [pw()], params: { qualifyingData: digest, inScheme: NULL_SCHEME, PCRselect: PCRS_0_7 } })),
      limit: "RSA-2048 sign",
    },
    create_load_ecc: {
      run: async () => void (await c.flush((await load(signTemplate)).handle)),
      limit: "P-256 keygen",
    },
  };

  const rows: { op: string; opsPerSec: number; min: number; max: number; limit: string; limitPerSec: number }[] = [];
  for (const name of OPS) {
    const op = ops[name];
    if (!op) throw new Error(`unknown op ${name}`);
    const rates = await measure(op.run);
    rows.push({
      op: name,
      opsPerSec: Math.round(rates[Math.floor(rates.length / 2)]!),
      min: Math.round(rates[0]!),
      max: Math.round(rates[rates.length - 1]!),
      limit: op.limit,
      limitPerSec: Math.round(primitiveRate(op.limit)),
    });
  }
  const out = [
    `TPM emulator, in-process (${RUNS} runs × ${SECS}s, node ${process.version})`,
    "op               ops/s (median)   min–max          limit: node:crypto primitive    /s",
    ...rows.map(
      (r) =>
        `${r.op.padEnd(16)} ${String(r.opsPerSec).padStart(14)}   ${`${r.min}–${r.max}`.padEnd(16)} ${r.limit.padEnd(30)} ${String(r.limitPerSec).padStart(7)}`,
    ),
  ];
  process.stdout.write(`${out.join("\n")}\n`);
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ rows }, null, 2));
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:tpm: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
