/**
 * The Autopilot profile as a device receives it: AutopilotConfigurationFile.json's properties (memdocs
 * autopilot/existing-devices.md), served by the deployment service for a registered device and written to
 * `%WINDIR%\Provisioning\Autopilot\` for offline deployment. The file must be ASCII: OOBE ignores a UTF-8 or
 * Unicode file. Also the device-name template (`%SERIAL%`, `%RAND:x%`) both ends apply, and the profile request.
 */
import { ProtocolError } from "./errors.js";

/** Path of the device-facing profile lookup (POST JSON {@link AutopilotProfileRequest}). */
export const AUTOPILOT_PROFILE_PATH = "deployment/v1/autopilot/profile";

/** `Version` of the file on Windows 10 1809 and later. */
export const AUTOPILOT_CONFIGURATION_VERSION = 2049;

/**
 * CloudAssignedOobeConfig bits. 1, 2, 4, 8 and 16 are documented (memdocs autopilot/existing-devices.md); 32, 64,
 * 256 and 1024 follow Microsoft's WindowsAutoPilotIntune module (ConvertTo-AutopilotConfigurationJSON).
 */
export const OOBE_CONFIG = Object.freeze({
  skipCortanaOptIn: 1,
  userNotLocalAdmin: 2,
  skipExpressSettings: 4,
  skipOemRegistration: 8,
  skipEula: 16,
  /** Shared device (deviceUsageType "shared"): self-deploying profiles. */
  sharedDevice: 32 | 64,
  /** Set by every Intune-generated file; meaning undocumented. */
  intuneDefault: 256,
  skipKeyboardSelection: 1024,
});

/** CloudAssignedDomainJoinMethod. */
export const DOMAIN_JOIN_METHOD = Object.freeze({ entra: 0, hybrid: 1 });

/** Deployment modes (`CloudAssignedDeploymentMode`, a property of this project: the documented file implies the mode by OOBE bit 32|64). */
export type AutopilotDeploymentMode = "user-driven" | "self-deploying";

/** The profile file's properties. Optional ones are left out when unset. */
export interface AutopilotConfigurationFile {
  readonly Version: number;
  /** Tenant GUID, no braces. */
  readonly CloudAssignedTenantId: string;
  readonly CloudAssignedTenantDomain: string;
  readonly CloudAssignedOobeConfig: number;
  /** 0 Entra join, 1 hybrid join. */
  readonly CloudAssignedDomainJoinMethod: 0 | 1;
  readonly CloudAssignedForcedEnrollment: 0 | 1;
  /** GUID; sent in enrollment as OfflineAutoPilotEnrollmentCorrelator. */
  readonly ZtdCorrelationId: string;
  /** Embedded JSON: `{"ZeroTouchConfig":{"CloudAssignedTenantUpn":…,"ForcedEnrollment":1,"CloudAssignedTenantDomain":…}}`. */
  readonly CloudAssignedAadServerData: string;
  readonly CloudAssignedAutopilotUpdateDisabled: 0 | 1;
  readonly CloudAssignedAutopilotUpdateTimeout: number;
  readonly Comment_File: string;
  /** Device name template (Entra join only). */
  readonly CloudAssignedDeviceName?: string;
  readonly CloudAssignedLanguage?: string;
  readonly CloudAssignedRegion?: string;
  readonly CloudAssignedKeyboard?: string;
  // Properties of this project (not in Microsoft's documented file), needed to run the modes faithfully.
  readonly DeploymentProfileName: string;
  readonly CloudAssignedDeploymentMode: AutopilotDeploymentMode;
  /** 1 when the technician flow (pre-provisioning) is allowed. */
  readonly CloudAssignedPreProvisioningAllowed: 0 | 1;
  /** The device's ZTDID when the service served the file; absent in an offline file. */
  readonly ZtdRegistrationId?: string;
  readonly CloudAssignedGroupTag?: string;
}

/** What a device sends to look up its profile. */
export interface AutopilotProfileRequest {
  /** Base64 hardware hash, as the CSV carries it. */
  readonly hardwareHash: string;
  readonly serialNumber?: string;
}

/** Limits of the profile request and file. */
export const AUTOPILOT_PROFILE_LIMITS = Object.freeze({ maxRequestBytes: 16 * 1024, maxFileBytes: 16 * 1024, maxDeviceNameLength: 15 });

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function malformed(detail: string): ProtocolError {
  return new ProtocolError("AUTOPILOT_PROFILE_MALFORMED", detail);
}

/** Writes the file as ASCII JSON (every non-ASCII character escaped as `\uXXXX`, which OOBE reads back). */
export function formatAutopilotConfigurationFile(file: AutopilotConfigurationFile): string {
  return JSON.stringify(file, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * Reads a profile file or a served profile.
 * @throws ProtocolError AUTOPILOT_PROFILE_MALFORMED for non-ASCII bytes (OOBE ignores such files), bad JSON, or a
 * property missing or of the wrong type.
 */
export function parseAutopilotConfigurationFile(input: unknown): AutopilotConfigurationFile {
  let value = input;
  if (typeof input === "string" || input instanceof Uint8Array) {
    const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
    if (text.length > AUTOPILOT_PROFILE_LIMITS.maxFileBytes) throw malformed("larger than 16 KiB");
    if (/[\u0080-\uffff]/.test(text)) throw malformed("the file is not ASCII (OOBE ignores UTF-8 and Unicode files)");
    try {
      value = JSON.parse(text);
    } catch {
      throw malformed("not JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed("not a JSON object");
  const file = value as Record<string, unknown>;
  const text = (name: string, optional = false): void => {
    if (file[name] === undefined && optional) return;
    if (typeof file[name] !== "string") throw malformed(`${name} must be a string`);
  };
  const integer = (name: string, allowed?: readonly number[]): void => {
    const n = file[name];
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || (allowed !== undefined && !allowed.includes(n))) {
      throw malformed(`${name} must be ${allowed === undefined ? "a non-negative integer" : allowed.join(" or ")}`);
    }
  };
  integer("Version");
  text("CloudAssignedTenantId");
  if (!GUID.test(file["CloudAssignedTenantId"] as string)) throw malformed("CloudAssignedTenantId must be a GUID without braces");
  text("CloudAssignedTenantDomain");
  integer("CloudAssignedOobeConfig");
  integer("CloudAssignedDomainJoinMethod", [0, 1]);
  integer("CloudAssignedForcedEnrollment", [0, 1]);
  text("ZtdCorrelationId");
  text("CloudAssignedAadServerData");
  integer("CloudAssignedAutopilotUpdateDisabled", [0, 1]);
  integer("CloudAssignedAutopilotUpdateTimeout");
  text("Comment_File");
  for (const name of ["CloudAssignedDeviceName", "CloudAssignedLanguage", "CloudAssignedRegion", "CloudAssignedKeyboard", "ZtdRegistrationId", "CloudAssignedGroupTag"]) {
    text(name, true);
  }
  text("DeploymentProfileName");
  if (file["CloudAssignedDeploymentMode"] !== "user-driven" && file["CloudAssignedDeploymentMode"] !== "self-deploying") {
    throw malformed("CloudAssignedDeploymentMode must be user-driven or self-deploying");
  }
  integer("CloudAssignedPreProvisioningAllowed", [0, 1]);
  try {
    JSON.parse(file["CloudAssignedAadServerData"] as string);
  } catch {
    throw malformed("CloudAssignedAadServerData must hold JSON");
  }
  if (file["CloudAssignedDeviceName"] !== undefined) {
    const problem = deviceNameTemplateProblem(file["CloudAssignedDeviceName"] as string);
    if (problem !== undefined) throw malformed(`CloudAssignedDeviceName: ${problem}`);
  }
  return file as unknown as AutopilotConfigurationFile;
}

/** Reads a device's profile request body (JSON). */
export function parseAutopilotProfileRequest(body: unknown): AutopilotProfileRequest {
  if (typeof body !== "object" || body === null) throw new ProtocolError("MALFORMED_REQUEST", 'expected {"hardwareHash": base64, "serialNumber"?: text}');
  const { hardwareHash, serialNumber } = body as Record<string, unknown>;
  if (typeof hardwareHash !== "string" || hardwareHash.length === 0 || hardwareHash.length > AUTOPILOT_PROFILE_LIMITS.maxRequestBytes || !BASE64.test(hardwareHash)) {
    throw new ProtocolError("MALFORMED_REQUEST", "hardwareHash must be base64");
  }
  if (serialNumber !== undefined && (typeof serialNumber !== "string" || serialNumber.length > 128)) {
    throw new ProtocolError("MALFORMED_REQUEST", "serialNumber must be text of at most 128 characters");
  }
  return { hardwareHash, ...(serialNumber === undefined ? {} : { serialNumber }) };
}

const TEMPLATE_PART = /%SERIAL%|%RAND:(\d+)%|[A-Za-z0-9-]/gy;

/**
 * Why a device-name template is not valid, or undefined when it is (memdocs: at most 15 characters of letters,
 * digits and hyphens, not only digits, no spaces; `%SERIAL%` adds the serial number, `%RAND:x%` x random digits).
 * The fixed characters and random digits must leave room within 15 characters for at least one serial character.
 */
export function deviceNameTemplateProblem(template: string): string | undefined {
  if (template.length === 0) return "the template is empty";
  let fixed = 0;
  let letters = 0;
  let serial = false;
  TEMPLATE_PART.lastIndex = 0;
  while (TEMPLATE_PART.lastIndex < template.length) {
    const at = TEMPLATE_PART.lastIndex;
    const match = TEMPLATE_PART.exec(template);
    if (match === null) return `"${template[at]}" at position ${at + 1}: only letters, digits, hyphens, %SERIAL% and %RAND:x% are allowed`;
    if (match[0] === "%SERIAL%") {
      if (serial) return "%SERIAL% appears twice";
      serial = true;
    } else if (match[1] !== undefined) {
      const digits = Number(match[1]);
      if (digits < 1) return "%RAND:x% needs x of at least 1";
      fixed += digits;
    } else {
      fixed += 1;
      if (!/[0-9]/.test(match[0])) letters += 1;
    }
  }
  const max = AUTOPILOT_PROFILE_LIMITS.maxDeviceNameLength;
  if (fixed + (serial ? 1 : 0) > max) return `the name would be longer than ${max} characters`;
  if (!serial && letters === 0) return "the name would be only digits";
  return undefined;
}

/**
 * Expands a valid template for a device: `%SERIAL%` becomes the serial number's letters, digits and hyphens, cut to
 * fit 15 characters; `%RAND:x%` takes x digits from `randomDigit` (0–9).
 * @throws RangeError for an invalid template.
 */
export function expandDeviceNameTemplate(template: string, serialNumber: string, randomDigit: () => number): string {
  const problem = deviceNameTemplateProblem(template);
  if (problem !== undefined) throw new RangeError(`device name template: ${problem}`);
  const parts = [...template.matchAll(/%SERIAL%|%RAND:(\d+)%|[A-Za-z0-9-]/g)];
  const fixedLength = parts.reduce((sum, part) => sum + (part[0] === "%SERIAL%" ? 0 : part[1] !== undefined ? Number(part[1]) : 1), 0);
  const serial = serialNumber.replace(/[^A-Za-z0-9-]/g, "").slice(0, AUTOPILOT_PROFILE_LIMITS.maxDeviceNameLength - fixedLength);
  return parts
    .map((part) => {
      if (part[0] === "%SERIAL%") return serial;
      if (part[1] !== undefined) return Array.from({ length: Number(part[1]) }, () => String(Math.abs(Math.trunc(randomDigit())) % 10)).join("");
      return part[0];
    })
    .join("");
}
