/**
 * How an install or script run turns out on the simulated device: how long it takes and what it exits with. A
 * scenario is looked up by the app's key (an MSI's product code, a Win32 app's id, a script's name); what no
 * scenario names installs at once and succeeds.
 */

/** The outcome of one app install or script run. */
export type AppOutcome = "success" | "failure" | "reboot";

/** What one app or script does when run. */
export interface AppScenario {
  /** Simulated install or run time, in milliseconds of the device clock. */
  readonly installMs: number;
  readonly outcome: AppOutcome;
  /** The process exit code; defaults: 0 on success, 3010 for reboot, 1603 on failure (MSI's codes). */
  readonly exitCode?: number;
}

/** Scenarios by app key. */
export type AppScenarios = Readonly<Record<string, AppScenario>>;

/** Win32 exit codes MSI and installers use. */
export const EXIT_CODES = Object.freeze({ success: 0, rebootRequired: 3010, fatalError: 1603 });

const DEFAULT_SCENARIO: AppScenario = { installMs: 0, outcome: "success" };

/** The scenario of `key` (product codes compare case-insensitively), or the default. */
export function scenarioOf(scenarios: AppScenarios | undefined, key: string): AppScenario {
  if (scenarios === undefined) return DEFAULT_SCENARIO;
  const found = scenarios[key] ?? Object.entries(scenarios).find(([name]) => name.toUpperCase() === key.toUpperCase())?.[1];
  return found ?? DEFAULT_SCENARIO;
}

/** The exit code a scenario ends with. */
export function exitCodeOf(scenario: AppScenario): number {
  if (scenario.exitCode !== undefined) return scenario.exitCode;
  switch (scenario.outcome) {
    case "success":
      return EXIT_CODES.success;
    case "reboot":
      return EXIT_CODES.rebootRequired;
    case "failure":
      return EXIT_CODES.fatalError;
  }
}

/** HRESULT_FROM_WIN32 as the signed 32-bit integer Windows reports in CSP nodes (0 stays 0). */
export function hresultFromWin32(code: number): number {
  if (code <= 0) return code;
  return ((code & 0xffff) | 0x80070000) | 0;
}
