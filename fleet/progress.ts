import cliProgress from "cli-progress";

/** Where a fleet run reports its progress. */
export interface FleetProgress {
  update(done: number, failed: number): void;
  stop(): void;
}

/** No progress output (library use, tests). */
export const silentProgress: FleetProgress = Object.freeze({ update: () => undefined, stop: () => undefined });

/**
 * A progress bar (done / failed / rate / ETA) on a terminal; plain lines at most every `intervalMs`
 * elsewhere (CI logs, pipes). Writes to `stream` (stderr: stdout stays for `--json`).
 */
export function createFleetProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  options: { intervalMs?: number; now?: () => number } = {},
): FleetProgress {
  const now = options.now ?? (() => performance.now());
  // Rates count from the first update (the runner sends 0/0 when devices start), not from factory and service start.
  let started: number | undefined;
  const elapsedSeconds = () => (now() - (started ??= now())) / 1000;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: "devices [{bar}] {value}/{total} | failed {failed} | {rate}/s | ETA {eta_formatted}",
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { failed: 0, rate: "0.0" });
    return {
      update: (done, failed) => {
        const seconds = elapsedSeconds();
        bar.update(done, { failed, rate: seconds > 0 ? (done / seconds).toFixed(1) : "0.0" });
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.intervalMs ?? 2000;
  let lastLine = now();
  let latest = { done: 0, failed: 0 };
  let printed = { done: -1, failed: -1 };
  const line = () => {
    const seconds = elapsedSeconds();
    const rate = seconds > 0 ? latest.done / seconds : 0;
    stream.write(`devices ${latest.done}/${total} failed ${latest.failed} ${rate.toFixed(1)}/s\n`);
    printed = latest;
  };
  return {
    update: (done, failed) => {
      started ??= now();
      latest = { done, failed };
      const at = now();
      if (at - lastLine >= interval || done === total) {
        lastLine = at;
        line();
      }
    },
    stop: () => {
      if (printed.done !== latest.done || printed.failed !== latest.failed) line();
    },
  };
}
