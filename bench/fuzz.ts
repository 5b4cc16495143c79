/**
 * The long fuzz run, printed as a summary table; never a test.
 *
 *   npm run fuzz -- [--count 1000000] [--seed N] [--socket] [--state-dir DIR]
 *       in process: `count` generated and mutated inputs into one TPM (its state in a temp directory, reloaded at
 *       the end); with --socket, the same count over each socket protocol (swtpm, mssim) instead, a tenth of it
 *       as malformed frames on short connections. Exit code 1 when any failure was found; each distinct failure
 *       is printed with its seed, input hex, stack and the inputs before it.
 */
import { Command } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TPM_SU, TpmClient } from "../tpm2/index.js";
import { TpmEmulator, serveTpm } from "../tpm-emulator/index.js";
import {
  FUZZ_TPM_SEED,
  Fuzzer,
  InternalErrorCapture,
  Rng,
  abuseFrames,
  formatFailures,
  formatSummary,
  fuzzSeed,
  inProcessTarget,
  mssimTarget,
  swtpmTarget,
  type FuzzStats,
  type FuzzTarget,
} from "../test/index.js";

const CHUNK = 100_000;

async function runInChunks(fuzzer: Fuzzer, count: number, label: string): Promise<FuzzStats> {
  let done = 0;
  while (done < count && fuzzer.stats.failures.length < 20) {
    const n = Math.min(CHUNK, count - done);
    await fuzzer.run(n);
    done += n;
    const s = fuzzer.stats;
    process.stderr.write(`${label}: ${s.inputs} inputs, ${s.successes} successes, ${s.failures.length} failures, ${Math.round((s.inputs * 1000) / s.millis)}/s\n`);
  }
  return fuzzer.stats;
}

async function inProcess(count: number, seed: number, capture: InternalErrorCapture, stateDir: string): Promise<boolean> {
  const tpm = TpmEmulator.create({ seed: FUZZ_TPM_SEED, stateDir });
  const stats = await runInChunks(new Fuzzer(inProcessTarget(tpm), { seed, capture }), count, "in-process");
  tpm.save();
  // the state the fuzz left must load and serve
  const reopened = TpmEmulator.open(stateDir);
  const client = new TpmClient((c) => reopened.execute(c));
  await client.run("Startup", { params: { startupType: TPM_SU.CLEAR } });
  await client.run("GetRandom", { params: { bytesRequested: 8 } });
  console.log(formatSummary(stats, `in-process, seed ${seed}`));
  if (stats.failures.length > 0) console.log(`\n${formatFailures(stats.failures, 20)}`);
  return stats.failures.length === 0;
}

async function overSockets(count: number, seed: number, capture: InternalErrorCapture): Promise<boolean> {
  let ok = true;
  for (const protocol of ["swtpm", "mssim"] as const) {
    const tpm = TpmEmulator.create({ seed: FUZZ_TPM_SEED });
    const server = await serveTpm(tpm, { protocol, port: 0 });
    const rng = new Rng(seed);
    const target: FuzzTarget & { close(): void } =
      protocol === "swtpm" ? swtpmTarget(server.port, server.controlPort) : mssimTarget(server.port, server.controlPort, rng);
    const abuse = Math.floor(count / 10);
    try {
      const stats = await runInChunks(new Fuzzer(target, { seed, capture }), count - abuse, protocol);
      const started = performance.now();
      const frames = await abuseFrames(new Rng(seed + 1), protocol, server.port, server.controlPort, abuse);
      console.log(formatSummary(stats, `${protocol}, seed ${seed}`));
      console.log(`malformed frames        ${frames.inputs} on ${frames.connections} connections in ${((performance.now() - started) / 1000).toFixed(1)} s, ${frames.failures.length} failures\n`);
      if (stats.failures.length > 0) console.log(formatFailures(stats.failures, 20));
      for (const f of frames.failures.slice(0, 20)) console.log(`${f.kind}: ${f.problem}\n  input ${f.inputHex}`);
      ok &&= stats.failures.length === 0 && frames.failures.length === 0;
    } finally {
      target.close();
      await server.close();
    }
  }
  return ok;
}

async function main(): Promise<void> {
  const program = new Command()
    .name("fuzz")
    .option("--count <n>", "inputs per target", (v) => Number.parseInt(v, 10), 1_000_000)
    .option("--seed <n>", "PRNG seed (default: env FUZZ_SEED or a fixed one)", (v) => Number.parseInt(v, 10))
    .option("--socket", "fuzz over the swtpm and mssim socket protocols instead of in process")
    .option("--state-dir <dir>", "TPM state directory for the in-process run (default: a temp directory)")
    .parse();
  const opts = program.opts<{ count: number; seed?: number; socket?: boolean; stateDir?: string }>();
  const seed = opts.seed ?? fuzzSeed();
  const capture = new InternalErrorCapture().install();
  if (!capture.selfTest()) process.stderr.write("warning: error-level logs are silenced; internal errors show only as TPM_RC_FAILURE\n");
  const temp = opts.stateDir ? undefined : mkdtempSync(path.join(tmpdir(), "apsim-fuzz-"));
  try {
    const ok = opts.socket ? await overSockets(opts.count, seed, capture) : await inProcess(opts.count, seed, capture, opts.stateDir ?? temp!);
    process.exitCode = ok ? 0 : 1;
  } finally {
    capture.uninstall();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

await main();
