/** The CLI's output rule: `--json` prints exactly one JSON document on stdout; everything else goes to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: readonly string[]): void {
  process.stdout.write(lines.map((l) => `${l}\n`).join(""));
}

/** Progress and notes for humans: stderr, so stdout stays parseable. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
