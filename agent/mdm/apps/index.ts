export { EXIT_CODES, exitCodeOf, hresultFromWin32, scenarioOf, type AppOutcome, type AppScenario, type AppScenarios } from "./app-scenario.js";
export { HRESULT_BAD_DIGEST, HRESULT_CANNOT_CONNECT, MAX_CONTENT_BYTES, downloadVerified, type DownloadResult } from "./content-download.js";
export { MSI_STATUS, runMsiJobs, type AppProgress, type AppRunOptions, type AppRunReport } from "./msi-jobs.js";
export { runManagementExtension, type ManagementExtensionRunOptions } from "./management-extension-client.js";
export { runDeviceApps, type DeviceAppOptions, type RunDeviceAppsOptions } from "./run-device-apps.js";
export { EDITION_ENTERPRISE, LICENSING_STATUS_COMPLETED, applyEditionUpgrade } from "./edition-upgrade.js";
