/**
 * The Enrollment Status Page settings an administrator chooses (memdocs windows-enrollment-status.md, "Create new
 * profile"), as JSON: `{showProgress, timeoutMinutes, blockDeviceUse, selectedApps, allowReset, allowUseOnError,
 * customErrorText}`. Missing members take Intune's defaults.
 */
import { ProtocolError } from "../../../protocol/index.js";

/** One ESP profile's settings. */
export interface EspSettings {
  /** Show app and profile configuration progress: false skips the page altogether. */
  readonly showProgress: boolean;
  /** TimeOutUntilSyncFailure, in minutes (DMClient CSP: 1 to 1440, default 60). */
  readonly timeoutMinutes: number;
  /** Block device use until all apps and profiles are installed. */
  readonly blockDeviceUse: boolean;
  /** With `blockDeviceUse`: only these apps (MSI ProductCodes or app ids) block; empty means every app. */
  readonly selectedApps: readonly string[];
  /** Allow users to reset the device if an installation error occurs. */
  readonly allowReset: boolean;
  /** Allow users to use the device if an installation error occurs. */
  readonly allowUseOnError: boolean;
  /** The message shown on failure. */
  readonly customErrorText: string;
}

/** Bounds of the settings (the selected-app limit is Intune's). */
export const ESP_SETTINGS_LIMITS = Object.freeze({ maxTimeoutMinutes: 1440, maxSelectedApps: 100, maxAppIdLength: 128, maxErrorTextLength: 1024 });

/** Intune's default message on failure. */
export const DEFAULT_ESP_ERROR_TEXT = "Setup could not be completed. Please try again or contact your support person for help.";

/** Intune's defaults. */
export const DEFAULT_ESP_SETTINGS: EspSettings = Object.freeze({
  showProgress: true,
  timeoutMinutes: 60,
  blockDeviceUse: true,
  selectedApps: [],
  allowReset: false,
  allowUseOnError: false,
  customErrorText: DEFAULT_ESP_ERROR_TEXT,
});

function invalid(detail: string): ProtocolError {
  return new ProtocolError("ESP_SETTINGS_INVALID", detail);
}

function booleanOf(document: Record<string, unknown>, name: keyof EspSettings, fallback: boolean): boolean {
  const value = document[name];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(`${name} must be true or false`);
  return value;
}

/**
 * Reads ESP settings from their JSON document.
 * @throws ProtocolError ESP_SETTINGS_INVALID for anything else (unknown members included).
 */
export function parseEspSettings(document: unknown): EspSettings {
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw invalid("the settings must be a JSON object");
  const record = document as Record<string, unknown>;
  for (const name of Object.keys(record)) {
    if (!(name in DEFAULT_ESP_SETTINGS)) throw invalid(`unknown setting ${name.slice(0, 64)}`);
  }
  const timeout = record.timeoutMinutes ?? DEFAULT_ESP_SETTINGS.timeoutMinutes;
  if (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 || timeout > ESP_SETTINGS_LIMITS.maxTimeoutMinutes) {
    throw invalid(`timeoutMinutes must be an integer from 1 to ${ESP_SETTINGS_LIMITS.maxTimeoutMinutes}`);
  }
  const apps = record.selectedApps ?? [];
  if (
    !Array.isArray(apps) ||
    apps.length > ESP_SETTINGS_LIMITS.maxSelectedApps ||
    apps.some((app) => typeof app !== "string" || app === "" || app.length > ESP_SETTINGS_LIMITS.maxAppIdLength)
  ) {
    throw invalid(`selectedApps must list at most ${ESP_SETTINGS_LIMITS.maxSelectedApps} app ids of 1 to ${ESP_SETTINGS_LIMITS.maxAppIdLength} characters`);
  }
  const text = record.customErrorText ?? DEFAULT_ESP_ERROR_TEXT;
  if (typeof text !== "string" || text.trim() === "" || text.length > ESP_SETTINGS_LIMITS.maxErrorTextLength) {
    throw invalid(`customErrorText must be a non-empty string of at most ${ESP_SETTINGS_LIMITS.maxErrorTextLength} characters`);
  }
  const blockDeviceUse = booleanOf(record, "blockDeviceUse", DEFAULT_ESP_SETTINGS.blockDeviceUse);
  if (!blockDeviceUse && (apps.length > 0 || record.allowReset === true || record.allowUseOnError === true)) {
    // Intune shows these only under "Block device use until all apps and profiles are installed".
    throw invalid("selectedApps, allowReset and allowUseOnError need blockDeviceUse");
  }
  return {
    showProgress: booleanOf(record, "showProgress", DEFAULT_ESP_SETTINGS.showProgress),
    timeoutMinutes: timeout,
    blockDeviceUse,
    selectedApps: [...new Set(apps as string[])],
    allowReset: booleanOf(record, "allowReset", DEFAULT_ESP_SETTINGS.allowReset),
    allowUseOnError: booleanOf(record, "allowUseOnError", DEFAULT_ESP_SETTINGS.allowUseOnError),
    customErrorText: text,
  };
}

/** BlockInStatusPage bits as this server writes them: block, then which way out the failure screen offers. */
export const BLOCK_IN_STATUS_PAGE = Object.freeze({ block: 1, allowReset: 2, allowUseOnError: 4 });

/** The DMClient BlockInStatusPage value of `settings`. */
export function blockInStatusPage(settings: EspSettings): number {
  if (!settings.blockDeviceUse) return 0;
  return BLOCK_IN_STATUS_PAGE.block | (settings.allowReset ? BLOCK_IN_STATUS_PAGE.allowReset : 0) | (settings.allowUseOnError ? BLOCK_IN_STATUS_PAGE.allowUseOnError : 0);
}
