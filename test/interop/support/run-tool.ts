import { execFile } from "node:child_process";

/** Options of runTool. */
export interface RunToolOptions {
  /** TCTI handed to tpm2-tools as TPM2TOOLS_TCTI (e.g. SwtpmInstance.tcti, or "none"). */
  tcti: string;
  /** Working directory; relative file arguments resolve here. */
  cwd: string;
  /** Extra environment variables on top of the test process's environment. */
  env?: Record<string, string>;
  /** Kill the tool after this long (default 30 s) so a hung TPM fails the test instead of hanging it. */
  timeoutMs?: number;
}

/** Outcome of one tool run. `code` is null when the tool was killed by a signal. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run an external tool (typically a tpm2-tools binary) with TPM2TOOLS_TCTI set. Resolves with the exit
 * code and output whatever the exit status; rejects only when the tool cannot be started at all.
 */
export function runTool(cmd: string, args: readonly string[], options: RunToolOptions): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env, TPM2TOOLS_TCTI: options.tcti },
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
        timeout: options.timeoutMs ?? 30_000,
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ code: 0, signal: null, stdout, stderr });
          return;
        }
        if (typeof error.code === "number" || error.signal != null) {
          resolve({
            code: typeof error.code === "number" ? error.code : null,
            signal: error.signal ?? null,
            stdout,
            stderr,
          });
          return;
        }
        reject(new Error(`runTool: cannot run ${cmd}: ${error.message}`, { cause: error }));
      },
    );
  });
}
