/**
 * The AdditionalContext of an enrollment request as typed fields (MS-MDE2 §3.4.4.1.1.1; the items a real Windows 10
 * device sends), both ways: the device builds its items from a context, the server reads a context from the items.
 */
import { contextValue, contextValues, type ContextItem } from "./enrollment.js";
import { malformed } from "./soap.js";

/** What a device tells the enrollment server about itself. */
export interface EnrollmentContext {
  /** Enrollment started by the user from Settings (true) or by OOBE/Autopilot (false). */
  readonly uxInitiated: boolean;
  /** 64 hex digits. */
  readonly hwDevId: string;
  readonly locale: string;
  readonly targetedUserLoggedIn?: boolean | undefined;
  /** The Windows product type as a decimal number. */
  readonly osEdition: string;
  readonly deviceName: string;
  /** One per network adapter, `00-11-22-33-44-55`. */
  readonly macAddresses: readonly string[];
  /** Windows' DeviceID: 32 hex digits. */
  readonly deviceId: string;
  /** `Full` for MDM enrollment, `Device` for device-only enrollment. */
  readonly enrollmentType: string;
  readonly deviceType: string;
  readonly osVersion: string;
  readonly applicationVersion: string;
  /** False during OOBE (Autopilot), true from Settings. */
  readonly notInOobe: boolean;
  readonly requestVersion?: string | undefined;
}

const DEVICE_ID = /^[0-9A-Fa-f]{32}$/;

function booleanOf(text: string | undefined, name: string, fallback: boolean): boolean {
  if (text === undefined) return fallback;
  const value = text.trim().toLowerCase();
  if (value !== "true" && value !== "false") throw malformed(`ContextItem ${name} is not true or false`);
  return value === "true";
}

/** The AdditionalContext items of a context, in the order Windows sends them. */
export function enrollmentContextItems(context: EnrollmentContext): ContextItem[] {
  const items: [string, string | undefined][] = [
    ["UXInitiated", String(context.uxInitiated)],
    ["HWDevID", context.hwDevId],
    ["Locale", context.locale],
    ["TargetedUserLoggedIn", context.targetedUserLoggedIn === undefined ? undefined : String(context.targetedUserLoggedIn)],
    ["OSEdition", context.osEdition],
    ["DeviceName", context.deviceName],
    ...context.macAddresses.map((mac): [string, string] => ["MAC", mac]),
    ["DeviceID", context.deviceId],
    ["EnrollmentType", context.enrollmentType],
    ["DeviceType", context.deviceType],
    ["OSVersion", context.osVersion],
    ["ApplicationVersion", context.applicationVersion],
    ["NotInOobe", String(context.notInOobe)],
    ["RequestVersion", context.requestVersion],
  ];
  return items.filter((item): item is [string, string] => item[1] !== undefined).map(([name, value]) => ({ name, value }));
}

/**
 * Reads the typed context from AdditionalContext items. DeviceID is required (32 hex digits); absent optional
 * items take Windows' defaults (EnrollmentType Full, DeviceType CIMClient_Windows).
 * @throws ProtocolError MDE2_INVALID_ENROLLMENT_DATA for a missing or malformed DeviceID, MDE2_MESSAGE_FORMAT for
 * a boolean item that is neither true nor false.
 */
export function readEnrollmentContext(items: readonly ContextItem[]): EnrollmentContext {
  const deviceId = contextValue(items, "DeviceID")?.trim();
  if (deviceId === undefined || !DEVICE_ID.test(deviceId)) throw malformed("DeviceID is missing or not 32 hex digits", undefined, "MDE2_INVALID_ENROLLMENT_DATA");
  const targeted = contextValue(items, "TargetedUserLoggedIn");
  return {
    uxInitiated: booleanOf(contextValue(items, "UXInitiated"), "UXInitiated", false),
    hwDevId: contextValue(items, "HWDevID") ?? "",
    locale: contextValue(items, "Locale") ?? "",
    targetedUserLoggedIn: targeted === undefined ? undefined : booleanOf(targeted, "TargetedUserLoggedIn", false),
    osEdition: contextValue(items, "OSEdition") ?? "",
    deviceName: contextValue(items, "DeviceName") ?? "",
    macAddresses: contextValues(items, "MAC"),
    deviceId,
    enrollmentType: contextValue(items, "EnrollmentType") ?? "Full",
    deviceType: contextValue(items, "DeviceType") ?? "CIMClient_Windows",
    osVersion: contextValue(items, "OSVersion") ?? "",
    applicationVersion: contextValue(items, "ApplicationVersion") ?? "",
    notInOobe: booleanOf(contextValue(items, "NotInOobe"), "NotInOobe", true),
    requestVersion: contextValue(items, "RequestVersion"),
  };
}
