export { DEFAULT_ESP_ERROR_TEXT, DEFAULT_ESP_SETTINGS, ESP_SETTINGS_LIMITS, blockInStatusPage, parseEspSettings, type EspSettings } from "./esp-settings.js";
export { EspStore, espMigrations, espTablesMigration, type EspDatabase, type EspTrackingRecord } from "./esp-store.js";
export { EspTracker, FIRST_SYNC_LIST_DELIMITER, firstSyncStatusCommand, firstSyncStatusRoot, serverFinishedCommand, type EspTrackerOptions } from "./esp-tracker.js";
export { registerEspRoutes, type EspRoutesOptions } from "./esp-routes.js";
export { trackedItemsOf, type TrackedItems } from "./tracked-items.js";
export { enrollmentProfileResolver } from "./enrollment-profile.js";
