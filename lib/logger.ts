import { pino, type Logger } from "pino";

/** A structured logger: JSON lines on stderr, one event per line. */
export type { Logger } from "pino";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);
const DEFAULT_LEVEL = "warn";

/** Defence in depth: these keys are censored wherever they appear at the top or one level down. */
const REDACTED_KEYS = ["privateKey", "secret", "password", "token", "seed", "authorization"];

let root: Logger | undefined;

function levelFromEnv(): string {
  const wanted = process.env["APSIM_LOG_LEVEL"]?.trim().toLowerCase();
  return wanted !== undefined && LEVELS.has(wanted) ? wanted : DEFAULT_LEVEL;
}

function rootLogger(): Logger {
  // stdout belongs to command output (`--json` prints exactly one document there); logs go to fd 2,
  // written synchronously so that the last lines before a crash or process.exit are not lost.
  root ??= pino(
    {
      level: levelFromEnv(),
      redact: { paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((key) => `*.${key}`)], censor: "[redacted]" },
    },
    pino.destination({ dest: 2, sync: true }),
  );
  return root;
}

/**
 * A logger for one component (`name` appears on every line). Level from env `APSIM_LOG_LEVEL`
 * (fatal, error, warn, info, debug, trace, silent; default warn), read when the first logger is
 * created. Never pass private keys or secrets to it.
 */
export function createLogger(name: string): Logger {
  return rootLogger().child({ name });
}
