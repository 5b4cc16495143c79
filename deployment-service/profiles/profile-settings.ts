/**
 * A deployment profile's settings as the administrator sets them (Intune's "Windows Autopilot deployment profile"
 * blade), validated: the combinations the portal refuses are refused here too.
 */
import { ProtocolError, deviceNameTemplateProblem, type AutopilotDeploymentMode } from "../../protocol/index.js";

/** How the device joins. */
export type JoinType = "entra" | "hybrid";

/** The OOBE pages and account settings of a profile. */
export interface OobeSettings {
  readonly hideLicenseTerms: boolean;
  readonly hidePrivacySettings: boolean;
  readonly hideChangeAccountOptions: boolean;
  /** Account type of the user who signs in (user-driven). */
  readonly userType: "standard" | "administrator";
  /** Skip the keyboard page (needs a language). */
  readonly skipKeyboardSelection: boolean;
}

/** Settings of one profile. */
export interface ProfileSettings {
  readonly mode: AutopilotDeploymentMode;
  /** "Allow pre-provisioned deployment" (user-driven only). */
  readonly allowPreProvisioning: boolean;
  readonly join: JoinType;
  readonly oobe: OobeSettings;
  /** BCP 47 tag such as `en-US`, or absent for the OS default (the user chooses). */
  readonly language?: string;
  readonly region?: string;
  readonly keyboard?: string;
  /** `%SERIAL%` / `%RAND:x%` template (Entra join only). */
  readonly deviceNameTemplate?: string;
}

const DEFAULT_OOBE: OobeSettings = Object.freeze({
  hideLicenseTerms: true,
  hidePrivacySettings: true,
  hideChangeAccountOptions: true,
  userType: "standard",
  skipKeyboardSelection: false,
});

const LOCALE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;

function invalid(detail: string): ProtocolError {
  return new ProtocolError("PROFILE_INVALID", detail);
}

function optionalText(value: unknown, name: string, pattern: RegExp): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !pattern.test(value)) throw invalid(`${name} is not valid`);
  return value;
}

function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(`${name} must be true or false`);
  return value;
}

/**
 * Reads and checks profile settings (JSON as the admin API takes it; unset values take the portal's defaults).
 * @throws ProtocolError PROFILE_INVALID naming the first problem.
 */
export function parseProfileSettings(input: unknown): ProfileSettings {
  if (typeof input !== "object" || input === null) throw invalid("expected a JSON object");
  const raw = input as Record<string, unknown>;
  const mode = raw["mode"];
  if (mode !== "user-driven" && mode !== "self-deploying") throw invalid("mode must be user-driven or self-deploying");
  const join = raw["join"] ?? "entra";
  if (join !== "entra" && join !== "hybrid") throw invalid("join must be entra or hybrid");
  const allowPreProvisioning = flag(raw["allowPreProvisioning"], "allowPreProvisioning", false);
  // Self-deploying has no user and joins Entra ID only; pre-provisioning is a setting of user-driven profiles.
  if (mode === "self-deploying" && join === "hybrid") throw invalid("self-deploying profiles join Microsoft Entra ID only");
  if (mode === "self-deploying" && allowPreProvisioning) throw invalid("pre-provisioning is allowed on user-driven profiles only");

  const oobeInput = raw["oobe"] ?? {};
  if (typeof oobeInput !== "object" || oobeInput === null) throw invalid("oobe must be an object");
  const o = oobeInput as Record<string, unknown>;
  const userType = o["userType"] ?? DEFAULT_OOBE.userType;
  if (userType !== "standard" && userType !== "administrator") throw invalid("oobe.userType must be standard or administrator");
  const oobe: OobeSettings = {
    hideLicenseTerms: flag(o["hideLicenseTerms"], "oobe.hideLicenseTerms", DEFAULT_OOBE.hideLicenseTerms),
    hidePrivacySettings: flag(o["hidePrivacySettings"], "oobe.hidePrivacySettings", DEFAULT_OOBE.hidePrivacySettings),
    hideChangeAccountOptions: flag(o["hideChangeAccountOptions"], "oobe.hideChangeAccountOptions", DEFAULT_OOBE.hideChangeAccountOptions),
    userType,
    skipKeyboardSelection: flag(o["skipKeyboardSelection"], "oobe.skipKeyboardSelection", DEFAULT_OOBE.skipKeyboardSelection),
  };

  const language = optionalText(raw["language"], "language", LOCALE);
  const region = optionalText(raw["region"], "region", LOCALE);
  const keyboard = optionalText(raw["keyboard"], "keyboard", LOCALE);
  if (oobe.skipKeyboardSelection && language === undefined) throw invalid("skipping the keyboard page needs a language");
  const deviceNameTemplate = raw["deviceNameTemplate"] === undefined || raw["deviceNameTemplate"] === "" ? undefined : raw["deviceNameTemplate"];
  if (deviceNameTemplate !== undefined) {
    if (typeof deviceNameTemplate !== "string") throw invalid("deviceNameTemplate must be text");
    // Hybrid-joined devices take their name from the domain join profile.
    if (join === "hybrid") throw invalid("a device name template applies to Microsoft Entra join only");
    const problem = deviceNameTemplateProblem(deviceNameTemplate);
    if (problem !== undefined) throw invalid(`deviceNameTemplate: ${problem}`);
  }
  return {
    mode,
    allowPreProvisioning,
    join,
    oobe,
    ...(language === undefined ? {} : { language }),
    ...(region === undefined ? {} : { region }),
    ...(keyboard === undefined ? {} : { keyboard }),
    ...(deviceNameTemplate === undefined ? {} : { deviceNameTemplate }),
  };
}
