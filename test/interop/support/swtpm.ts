import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { freePort } from "./tools.js";

/** A running swtpm on loopback with its own temporary state directory. */
export interface SwtpmInstance {
  /** TPM data port (raw command stream). */
  port: number;
  /** swtpm control port (port + 1). */
  ctrlPort: number;
  /** TCTI string for TPM2TOOLS_TCTI / `-T`. */
  tcti: string;
  /** The --tpmstate directory (mode 0700; holds the TPM's seeds). */
  stateDir: string;
  /** Kill swtpm and remove stateDir. Idempotent. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const POLL_INTERVAL_MS = 10;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3;

/** Children still running, killed if the test process exits without calling stop(). */
const running = new Set<{ child: ChildProcess; stateDir: string }>();
process.once("exit", () => {
  for (const { child, stateDir } of running) {
    child.kill("SIGKILL");
    rmSync(stateDir, { recursive: true, force: true });
  }
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  // A child that failed to spawn has no pid and may never emit "exit".
  if (child.pid === undefined) return;
  const exited = waitForExit(child);
  child.kill("SIGTERM");
  const graceful = await Promise.race([exited.then(() => true), delay(STOP_GRACE_MS, false, { ref: false })]);
  if (!graceful) {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Resolves once both ports accept connections; rejects if swtpm fails or does not come up in time. */
async function waitUntilListening(child: ChildProcess, port: number, ctrlPort: number, log: () => string): Promise<void> {
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    failure = error;
  };
  child.once("error", onError);
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (failure !== undefined) throw failure;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`swtpm exited before listening on ${port}: ${log().trim()}`);
      }
      if ((await accepts(port)) && (await accepts(ctrlPort))) return;
      if (Date.now() > deadline) {
        throw new Error(`swtpm did not listen on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms: ${log().trim()}`);
      }
      await delay(POLL_INTERVAL_MS);
    }
  } finally {
    child.off("error", onError);
  }
}

async function startOnce(): Promise<SwtpmInstance> {
  const port = await freePort();
  const ctrlPort = port + 1;
  // mkdtemp creates the directory with mode 0700.
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "apsim-swtpm-"));
  const child = spawn(
    "swtpm",
    [
      "socket",
      "--tpm2",
      "--server", `type=tcp,port=${port},bindaddr=127.0.0.1`,
      "--ctrl", `type=tcp,port=${ctrlPort},bindaddr=127.0.0.1`,
      "--tpmstate", `dir=${stateDir}`,
      "--flags", "not-need-init,startup-clear",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const collect = (chunk: Buffer): void => {
    if (output.length < 4096) output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  // Keeps a late spawn/kill error from becoming an uncaught exception; it shows up in the log instead.
  child.on("error", (error) => collect(Buffer.from(`${error.message}\n`)));
  const entry = { child, stateDir };
  running.add(entry);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await stopChild(child);
      running.delete(entry);
      rmSync(stateDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await waitUntilListening(child, port, ctrlPort, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, ctrlPort, tcti: `swtpm:host=127.0.0.1,port=${port}`, stateDir, stop };
}

/**
 * Start `swtpm socket --tpm2` on a free loopback port pair with a fresh temporary state and
 * `--flags not-need-init,startup-clear` (so no TPM2_Startup is needed). Resolves when the data and
 * control ports accept connections. Retries on a new port if the chosen one was taken meanwhile.
 */
export async function startSwtpm(): Promise<SwtpmInstance> {
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      lastError = error;
      if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
