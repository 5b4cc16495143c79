import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runTool } from "./run-tool.js";

/** A private D-Bus session bus with tpm2-abrmd on it, in front of a TPM reachable through `tcti`. */
export interface AbrmdInstance {
  /** TCTI for tpm2-tools: the broker on the private session bus. */
  tcti: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await waitExit(child);
}

/** Starts `dbus-daemon --session` and `tpm2-abrmd --session` against `tcti`, and waits until the broker answers. */
export async function startAbrmd(backendTcti: string, name: string): Promise<AbrmdInstance> {
  const dir = mkdtempSync(path.join(tmpdir(), "apsim-dbus-"));
  const bus = spawn("dbus-daemon", ["--session", "--nofork", "--print-address=1", `--address=unix:dir=${dir}`], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    bus.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim().split("\n")[0]!);
    });
    bus.once("exit", (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
  });
  const env = { DBUS_SESSION_BUS_ADDRESS: address };
  const busName = `com.intel.tss2.Tabrmd.apsim${name}`;
  const broker = spawn("tpm2-abrmd", ["--allow-root", "--session", `--dbus-name=${busName}`, `--tcti=${backendTcti}`, "--flush-all"], {
    stdio: "ignore",
    env: { ...process.env, ...env },
  });
  const tcti = `tabrmd:bus_type=session,bus_name=${busName}`;
  const stop = async () => {
    await stopChild(broker);
    await stopChild(bus);
    rmSync(dir, { recursive: true, force: true });
  };
  // the broker owns its bus name only after it has connected to the TPM: poll it, bounded
  for (let attempt = 0; ; attempt++) {
    if (broker.exitCode !== null) {
      await stop();
      throw new Error(`tpm2-abrmd exited with ${broker.exitCode}`);
    }
    const r = await runTool("tpm2_getcap", ["properties-fixed"], { tcti, cwd: dir, env, timeoutMs: 10_000 });
    if (r.code === 0) break;
    if (attempt === 100) {
      await stop();
      throw new Error(`tpm2-abrmd did not answer: ${r.stderr.slice(0, 300)}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { tcti, env, stop };
}
