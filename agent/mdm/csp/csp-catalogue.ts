/**
 * The CSP nodes the device emulates, as data. Access types and formats follow Microsoft's CSP reference pages
 * (DevInfo, DevDetail, DMClient, Policy, EnterpriseDesktopAppManagement, WindowsLicensing, RemoteWipe,
 * EnrollmentStatusTracking); interior nodes are implied by their children.
 */
import type { CspNodeDefinition, DeviceIdentity, NodeAccess, NodeFormat } from "./csp-node.js";

const READ: readonly NodeAccess[] = ["Get"];
const SETTING: readonly NodeAccess[] = ["Add", "Delete", "Get", "Replace"];
const ANY_VALUE: readonly NodeFormat[] = ["chr", "int", "bool", "xml", "b64"];

function readOnly(pattern: string, format: NodeFormat, deviceValue: (identity: DeviceIdentity) => string | undefined): CspNodeDefinition {
  return { pattern, access: READ, formats: [format], deviceValue };
}

function setting(pattern: string, format: NodeFormat, extra: Partial<CspNodeDefinition> = {}): CspNodeDefinition {
  return { pattern, access: SETTING, formats: [format], ...extra };
}

/** A settable node the device also writes (reported by Get, refused to the server's Replace). */
function deviceReported(pattern: string, format: NodeFormat): CspNodeDefinition {
  return { pattern, access: READ, formats: [format] };
}

/** ADMX-ingested and Win32 (`~` in the area) policies answer Get with 404 even once applied. */
const admxIngested = (locUri: string): boolean => (locUri.split("/")[6] ?? "").includes("~");

/** DMClient ServerHasFinishedProvisioning cannot go back to false (CFGMGR_E_COMMANDNOTALLOWED, DMClient CSP). */
function oneWayTrue(previous: string | undefined, next: string): number | undefined {
  return previous?.toLowerCase() === "true" && next.toLowerCase() === "false" ? 405 : undefined;
}

const FIRST_SYNC_LISTS = ["ExpectedPolicies", "ExpectedNetworkProfiles", "ExpectedMSIAppPackages", "ExpectedModernAppPackages", "ExpectedPFXCerts", "ExpectedSCEPCerts"];

function firstSyncStatus(scope: "Device" | "User"): CspNodeDefinition[] {
  const base = `./${scope}/Vendor/MSFT/DMClient/Provider/{provider}/FirstSyncStatus`;
  const nodes: CspNodeDefinition[] = FIRST_SYNC_LISTS.flatMap((name) => [
    setting(`${base}/${name}`, "chr"),
    // Fleet's ESP command adds one child per expected LocURI under ExpectedPolicies.
    setting(`${base}/${name}/*`, "chr"),
  ]);
  nodes.push(setting(`${base}/IsSyncDone`, "bool"));
  if (scope === "Device") {
    nodes.push(
      setting(`${base}/TimeOutUntilSyncFailure`, "int", { defaultValue: "60" }),
      setting(`${base}/ServerHasFinishedProvisioning`, "bool", { defaultValue: "false", writeRule: oneWayTrue }),
      setting(`${base}/WasDeviceSuccessfullyProvisioned`, "int"),
      setting(`${base}/BlockInStatusPage`, "int"),
      setting(`${base}/AllowCollectLogsButton`, "bool"),
      setting(`${base}/CustomErrorText`, "chr"),
      setting(`${base}/SkipDeviceStatusPage`, "bool"),
      setting(`${base}/SkipUserStatusPage`, "bool"),
    );
  }
  return nodes;
}

function enrollmentStatusTracking(scope: "Device" | "User"): CspNodeDefinition[] {
  const base = `./${scope}/Vendor/MSFT/EnrollmentStatusTracking`;
  const nodes: CspNodeDefinition[] = [
    setting(`${base}/Setup/Apps/PolicyProviders/*/TrackingPoliciesCreated`, "bool"),
    setting(`${base}/Setup/Apps/Tracking/*/*/TrackingUri`, "chr"),
    setting(`${base}/Setup/Apps/Tracking/*/*/InstallationState`, "int"),
    setting(`${base}/Setup/Apps/Tracking/*/*/RebootRequired`, "int"),
    deviceReported(`${base}/Setup/HasProvisioningCompleted`, "bool"),
  ];
  if (scope === "Device") {
    const providers = `${base}/DevicePreparation/PolicyProviders/*`;
    nodes.push(
      setting(`${providers}/InstallationState`, "int"),
      setting(`${providers}/LastError`, "int"),
      setting(`${providers}/Timeout`, "int"),
      setting(`${providers}/TrackedResourceTypes/Apps`, "bool"),
    );
  }
  return nodes;
}

function policy(scope: "Device" | "User"): CspNodeDefinition[] {
  const base = `./${scope}/Vendor/MSFT/Policy`;
  return [
    { pattern: `${base}/Config/*/*`, access: SETTING, formats: ANY_VALUE, getNotFound: admxIngested },
    { pattern: `${base}/Result/*/*`, access: READ, formats: ANY_VALUE, getNotFound: admxIngested },
  ];
}

function enterpriseDesktopAppManagement(scope: "Device" | "User"): CspNodeDefinition[] {
  const product = `./${scope}/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/*`;
  return [
    { pattern: product, access: ["Add", "Delete", "Get"], formats: ["node"] },
    { pattern: `${product}/DownloadInstall`, access: ["Add", "Delete", "Get", "Exec"], formats: ["chr", "xml"], exec: "msi-download-install", execNeedsNode: true },
    deviceReported(`${product}/Status`, "int"),
    deviceReported(`${product}/LastError`, "int"),
    deviceReported(`${product}/LastErrorDesc`, "chr"),
    deviceReported(`${product}/ProductVersion`, "chr"),
    deviceReported(`${product}/UpgradeCode`, "chr"),
  ];
}

/** Every node the device emulates. */
export const CSP_NODES: readonly CspNodeDefinition[] = Object.freeze([
  readOnly("./DevInfo/DevId", "chr", (identity) => identity.deviceId),
  readOnly("./DevInfo/Man", "chr", (identity) => identity.manufacturer),
  readOnly("./DevInfo/Mod", "chr", (identity) => identity.model),
  readOnly("./DevInfo/DmV", "chr", () => "1.3"),
  readOnly("./DevInfo/Lang", "chr", (identity) => identity.language ?? "en-US"),
  readOnly("./DevDetail/SwV", "chr", (identity) => identity.osVersion),
  readOnly("./DevDetail/HwV", "chr", (identity) => identity.hardwareVersion),
  readOnly("./DevDetail/FwV", "chr", (identity) => identity.firmwareVersion),
  readOnly("./DevDetail/OEM", "chr", (identity) => identity.oem ?? identity.manufacturer),
  readOnly("./DevDetail/LrgObj", "bool", () => "false"),
  readOnly("./DevDetail/Ext/Microsoft/OSPlatform", "chr", (identity) => identity.osPlatform),
  {
    pattern: "./DevDetail/Ext/Microsoft/DNSComputerName",
    access: ["Get", "Replace"],
    formats: ["chr"],
    deviceValue: (identity) => identity.computerName,
  },
  readOnly("./Device/Vendor/MSFT/DMClient/HWDevID", "chr", (identity) => identity.hardwareDeviceId),
  setting("./Device/Vendor/MSFT/DMClient/Provider/{provider}/EntDMID", "chr"),
  setting("./Device/Vendor/MSFT/DMClient/Provider/{provider}/EntDeviceName", "chr"),
  { pattern: "./Device/Vendor/MSFT/DMClient/Provider/{provider}/Unenroll", access: ["Exec"], formats: ["chr"], exec: "unenroll" },
  ...firstSyncStatus("Device"),
  ...firstSyncStatus("User"),
  ...enrollmentStatusTracking("Device"),
  ...enrollmentStatusTracking("User"),
  ...policy("Device"),
  ...policy("User"),
  { pattern: "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/*/Policy/*", access: ["Add", "Delete", "Get"], formats: ["chr"] },
  { pattern: "./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/*/Preference/*", access: ["Add", "Delete", "Get"], formats: ["chr"] },
  ...enterpriseDesktopAppManagement("Device"),
  ...enterpriseDesktopAppManagement("User"),
  { pattern: "./Device/Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey", access: ["Exec"], formats: ["chr"], exec: "edition-upgrade" },
  deviceReported("./Device/Vendor/MSFT/WindowsLicensing/Edition", "int"),
  deviceReported("./Device/Vendor/MSFT/WindowsLicensing/Status", "int"),
  { pattern: "./Device/Vendor/MSFT/RemoteWipe/doWipe", access: ["Exec"], formats: ["chr"], exec: "wipe" },
  { pattern: "./Device/Vendor/MSFT/RemoteWipe/doWipeProtected", access: ["Exec"], formats: ["chr"], exec: "wipe" },
  { pattern: "./Device/Vendor/MSFT/RemoteWipe/doWipePersistProvisionedData", access: ["Exec"], formats: ["chr"], exec: "wipe" },
  {
    pattern: "./Device/Vendor/MSFT/RemoteWipe/AutomaticRedeployment/doAutomaticRedeployment",
    access: ["Exec"],
    formats: ["chr"],
    exec: "automatic-redeployment",
  },
  deviceReported("./Device/Vendor/MSFT/RemoteWipe/AutomaticRedeployment/LastError", "int"),
  deviceReported("./Device/Vendor/MSFT/RemoteWipe/AutomaticRedeployment/Status", "int"),
]);
