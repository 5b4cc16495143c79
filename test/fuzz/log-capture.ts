/**
 * Captures the emulator's "internal error in a TPM command" log events. The logger writes JSON lines to fd 2 with
 * fs.writeSync (pino's synchronous destination), so wrapping fs.writeSync for fd 2 sees every line; the captured
 * events are kept and not printed, other lines pass through.
 */
import fs from "node:fs";
import { createLogger } from "../../lib/index.js";

export const INTERNAL_ERROR_MESSAGE = "internal error in a TPM command";

export interface InternalErrorEvent {
  /** The whole log line (JSON, with err.stack). */
  line: string;
  stack: string | undefined;
}

export class InternalErrorCapture {
  readonly events: InternalErrorEvent[] = [];
  private readonly original = fs.writeSync;
  private installed = false;

  install(): this {
    if (this.installed) return this;
    const original = this.original;
    const events = this.events;
    const patched = function (this: unknown, fd: number, data: unknown, ...rest: unknown[]): number {
      if (fd === 2) {
        const text = typeof data === "string" ? data : Buffer.isBuffer(data) ? data.toString("utf8") : undefined;
        if (text?.includes(INTERNAL_ERROR_MESSAGE)) {
          for (const line of text.split("\n").filter((l) => l.includes(INTERNAL_ERROR_MESSAGE))) {
            let stack: string | undefined;
            try {
              stack = (JSON.parse(line) as { err?: { stack?: string } }).err?.stack;
            } catch {
              stack = undefined;
            }
            events.push({ line, stack });
          }
          return typeof data === "string" ? Buffer.byteLength(data) : (data as Buffer).length;
        }
      }
      return (original as (...a: unknown[]) => number).call(fs, fd, data, ...rest);
    };
    (fs as { writeSync: unknown }).writeSync = patched;
    this.installed = true;
    return this;
  }

  uninstall(): void {
    if (!this.installed) return;
    (fs as { writeSync: unknown }).writeSync = this.original;
    this.installed = false;
  }

  /** Events since `mark` (a previous `events.length`). */
  since(mark: number): InternalErrorEvent[] {
    return this.events.slice(mark);
  }

  /**
   * Whether the capture sees the emulator's logger at all: logs one event at level error through the same
   * logger root and looks for it (false when APSIM_LOG_LEVEL silences errors).
   */
  selfTest(): boolean {
    const mark = this.events.length;
    createLogger("fuzz-capture-check").error({ probe: true }, INTERNAL_ERROR_MESSAGE);
    const seen = this.events.length > mark;
    this.events.splice(mark);
    return seen;
  }
}
