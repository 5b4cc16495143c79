/**
 * The TPMs a tpm2-tools interop spec runs the same steps against: swtpm first (the yardstick), then our
 * emulator over the swtpm protocol, and optionally our emulator behind tpm2-abrmd. Each has a scratch folder
 * and keeps every step's result for the spec to compare.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TpmEmulator, serveTpm } from "../../../tpm-emulator/index.js";
import { startAbrmd } from "./abrmd.js";
import { runTool, type ToolResult } from "./run-tool.js";
import { startSwtpm } from "./swtpm.js";

export interface ToolTarget {
  readonly name: string;
  readonly tcti: string;
  readonly env?: Record<string, string>;
  readonly dir: string;
  readonly results: Map<string, ToolResult>;
  stop(): Promise<void>;
}

/** One tool invocation of a spec; its result is kept under `label`. */
export interface ToolStep {
  readonly label: string;
  readonly tool: string;
  readonly args: readonly string[];
}

/**
 * Starts swtpm, an emulator of `emulatorVendor` and, with `brokeredVendor`, an emulator behind tpm2-abrmd,
 * pushing each into `targets` as soon as it runs (so the spec's `after` stops whatever started).
 */
export async function startToolTargets(
  targets: ToolTarget[],
  prefix: string,
  options: { emulatorVendor: string; brokeredVendor?: string },
): Promise<void> {
  const add = (name: string, tcti: string, stop: () => Promise<void>, env?: Record<string, string>) =>
    targets.push({
      name,
      tcti,
      dir: mkdtempSync(path.join(tmpdir(), `apsim-${prefix}-${name}-`)),
      results: new Map(),
      stop,
      ...(env ? { env } : {}),
    });
  const swtpm = await startSwtpm();
  add("swtpm", swtpm.tcti, () => swtpm.stop());
  const direct = await serveTpm(TpmEmulator.create({ vendor: options.emulatorVendor }), { protocol: "swtpm", port: 0 });
  add("emulator", `swtpm:host=127.0.0.1,port=${direct.port}`, () => direct.close());
  if (options.brokeredVendor === undefined) return;
  const behindBroker = await serveTpm(TpmEmulator.create({ vendor: options.brokeredVendor }), { protocol: "swtpm", port: 0 });
  const broker = await startAbrmd(`swtpm:host=127.0.0.1,port=${behindBroker.port}`, `${prefix.slice(0, 1)}${behindBroker.port}`);
  add(
    "emulator-abrmd",
    broker.tcti,
    async () => {
      await broker.stop();
      await behindBroker.close();
    },
    broker.env,
  );
}

/** Stops every target and removes its folder. */
export async function stopToolTargets(targets: readonly ToolTarget[]): Promise<void> {
  for (const target of targets) {
    await target.stop();
    rmSync(target.dir, { recursive: true, force: true });
  }
}

/**
 * Writes `files` into the target's folder, then runs the steps in order. Without a resource manager the tools
 * leave objects (and sessions) loaded, and swtpm has 3 slots of each: after every step, `tpm2_flushcontext`
 * runs once per entry of `flush` (`-t` transient objects, `-l` loaded sessions).
 */
export async function runToolSteps(
  target: ToolTarget,
  steps: readonly ToolStep[],
  files: Readonly<Record<string, Uint8Array>>,
  flush: readonly string[] = ["-t"],
): Promise<void> {
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(target.dir, name), data);
  const options = { tcti: target.tcti, cwd: target.dir, ...(target.env ? { env: target.env } : {}) };
  for (const step of steps) {
    target.results.set(step.label, await runTool(step.tool, step.args, options));
    for (const kind of flush) await runTool("tpm2_flushcontext", [kind], options);
  }
}
