/**
 * The steps of OOBE as the device reports them: one event per step with its outcome, the code and HRESULT Windows
 * would show, and its start time and duration — the shape `apsim device oobe --json` prints.
 */
import { errorDefinition, formatHresult } from "../../protocol/index.js";

/** Steps before the profile decides the mode, in the order OOBE shows them. */
export const PRELUDE_STEPS = ["language", "region", "keyboard", "network", "profile"] as const;

/**
 * Every step a flow can hold. The three device-preparation steps carry the names the Enrollment Status Page
 * shows (memdocs windows-enrollment-status.md); `signIn` is the user's Entra sign-in of user-driven flows.
 */
export type OobeStepName =
  | (typeof PRELUDE_STEPS)[number]
  | "signIn"
  | "securingHardware"
  | "joiningNetwork"
  | "registeringMdm"
  | "deviceSetup"
  | "accountSetup"
  | "reseal";

/** What OOBE displays for each step. */
export const STEP_TITLES: Readonly<Record<OobeStepName, string>> = {
  language: "Language",
  region: "Region",
  keyboard: "Keyboard layout",
  network: "Network connection",
  profile: "Downloading your organization's configuration",
  signIn: "Signing in",
  securingHardware: "Securing your hardware",
  joiningNetwork: "Joining your organization's network",
  registeringMdm: "Registering your device for mobile management",
  deviceSetup: "Device setup",
  accountSetup: "Account setup",
  reseal: "Reseal",
};

/** ok; failed (ended the flow); previousStepFailed (not run because an earlier step failed: the ESP's "Previous step failed"). */
export type OobeStepStatus = "ok" | "failed" | "previousStepFailed";

/** One step of a flow, as reported. */
export interface OobeStep {
  readonly name: OobeStepName;
  readonly status: OobeStepStatus;
  /** "OK", a registry code, or a code a service sent. */
  readonly code: string;
  /** `0x…`; S_OK for a step that succeeded; the failing step's HRESULT for steps it blocked. */
  readonly hresult: string;
  /** Start time, ms since the epoch (device clock). */
  readonly startedAt: number;
  readonly ms: number;
}

export const OK_CODE = "OK";
export const PREVIOUS_STEP_FAILED = "PREVIOUS_STEP_FAILED";
export const S_OK = formatHresult(0);
/** E_FAIL: what a failure without an HRESULT of its own reports. */
const E_FAIL = 0x80004005;

/** Why a step failed, as a value: the code and HRESULT the device reports. */
export class OobeStepFailure extends Error {
  readonly hresult: number;

  constructor(
    readonly code: string,
    detail: string,
    options: { readonly hresult?: number | undefined; readonly cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OobeStepFailure";
    this.hresult = options.hresult ?? errorDefinition(code)?.hresult ?? E_FAIL;
  }

  get hresultText(): string {
    return formatHresult(this.hresult);
  }
}

/** Any error as a step failure: unknown errors become INTERNAL with E_FAIL. */
export function asStepFailure(error: unknown): OobeStepFailure {
  if (error instanceof OobeStepFailure) return error;
  return new OobeStepFailure("INTERNAL", error instanceof Error ? error.message : String(error), { hresult: E_FAIL, cause: error });
}
