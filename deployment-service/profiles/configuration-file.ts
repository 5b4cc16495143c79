/**
 * A profile as AutopilotConfigurationFile JSON: what the service serves a registered device and what the offline
 * export writes. OOBE bits follow Microsoft's WindowsAutoPilotIntune module (ConvertTo-AutopilotConfigurationJSON):
 * 8 and 256 always; 2 for a standard user; 4 to hide privacy settings; 16 to hide the licence terms; 1024 to skip
 * the keyboard page; 32 and 64 for a shared (self-deploying) device.
 */
import {
  AUTOPILOT_CONFIGURATION_VERSION,
  DOMAIN_JOIN_METHOD,
  OOBE_CONFIG,
  type AutopilotConfigurationFile,
} from "../../protocol/index.js";
import type { DeviceRecord, ProfileRecord, TenantRecord } from "../store/deployment-store.js";
import type { ProfileSettings } from "./profile-settings.js";

/** CloudAssignedAutopilotUpdateTimeout Intune writes (30 minutes). */
const UPDATE_TIMEOUT_MS = 1_800_000;

/** `{ [name]: value }`, or nothing when the value is unset (optional properties are left out of the file). */
function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

/** CloudAssignedOobeConfig of a profile's settings. */
export function oobeConfigOf(settings: ProfileSettings): number {
  let bits = OOBE_CONFIG.skipOemRegistration | OOBE_CONFIG.intuneDefault;
  if (settings.oobe.userType === "standard") bits |= OOBE_CONFIG.userNotLocalAdmin;
  if (settings.oobe.hidePrivacySettings) bits |= OOBE_CONFIG.skipExpressSettings;
  if (settings.oobe.hideLicenseTerms) bits |= OOBE_CONFIG.skipEula;
  if (settings.oobe.skipKeyboardSelection) bits |= OOBE_CONFIG.skipKeyboardSelection;
  if (settings.mode === "self-deploying") bits |= OOBE_CONFIG.sharedDevice;
  return bits;
}

/** The file for `profile`; with `device`, the device's registration id, tag and assigned user are filled in. */
export function autopilotConfigurationFile(
  tenant: TenantRecord,
  profile: ProfileRecord,
  settings: ProfileSettings,
  device?: DeviceRecord,
): AutopilotConfigurationFile {
  const assignedUser = device?.assignedUser ?? "";
  return {
    CloudAssignedTenantId: tenant.id,
    ...optional("CloudAssignedDeviceName", settings.deviceNameTemplate),
    CloudAssignedAutopilotUpdateTimeout: UPDATE_TIMEOUT_MS,
    CloudAssignedAutopilotUpdateDisabled: 1,
    CloudAssignedForcedEnrollment: 1,
    Version: AUTOPILOT_CONFIGURATION_VERSION,
    Comment_File: `Profile ${profile.name}`,
    CloudAssignedAadServerData: JSON.stringify({
      ZeroTouchConfig: { CloudAssignedTenantUpn: assignedUser, ForcedEnrollment: 1, CloudAssignedTenantDomain: tenant.domain },
    }),
    CloudAssignedOobeConfig: oobeConfigOf(settings),
    CloudAssignedDomainJoinMethod: DOMAIN_JOIN_METHOD[settings.join],
    ZtdCorrelationId: profile.id,
    CloudAssignedTenantDomain: tenant.domain,
    ...optional("CloudAssignedLanguage", settings.language),
    ...optional("CloudAssignedRegion", settings.region),
    ...optional("CloudAssignedKeyboard", settings.keyboard),
    DeploymentProfileName: profile.name,
    CloudAssignedDeploymentMode: settings.mode,
    CloudAssignedPreProvisioningAllowed: settings.allowPreProvisioning ? 1 : 0,
    ...optional("ZtdRegistrationId", device?.id),
    ...optional("CloudAssignedGroupTag", device?.groupTag === "" ? undefined : device?.groupTag),
  };
}
