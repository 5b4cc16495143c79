export { registerPayloadService, payloadDocument, type PayloadService, type PayloadServiceOptions } from "./service.js";
export { PayloadStore, payloadMigrations, payloadTablesMigration, type PayloadContent, type PayloadDatabase, type PayloadRecord, type ExtensionResultRecord } from "./payload-store.js";
export { PAYLOAD_KINDS, PAYLOAD_LIMITS, parsePayload, type ParsedPayload, type PayloadAssignments, type PayloadContext, type PayloadKind, type PayloadSpec } from "./payload-spec.js";
export { payloadsFor, type ManagedDevice } from "./resolve-payloads.js";
export { managedDeviceReader, type DeviceGroups, type ManagedDeviceOf } from "./managed-device.js";
export { CONTENT_ROUTE, commandsFor, cspRootOf, msiInstallJob, type ContentUrlOf } from "./payload-commands.js";
export { extensionAssignmentsOf, registerManagementExtensionRoutes, type ManagementExtensionOptions } from "./management-extension.js";
