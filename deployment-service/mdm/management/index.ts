export { registerManagementService, type ManagementService, type ManagementServiceOptions } from "./service.js";
export { ManagementSessionEngine, ServerBusyError, type SessionEngineLimits, type SessionEngineOptions } from "./session-engine.js";
export {
  CommandQueue,
  commandQueueMigrations,
  commandTablesMigration,
  type CommandQueueDatabase,
  type CommandRecord,
  type CommandState,
  type MdmCommandsTable,
  type StoredResult,
  type StoredStatus,
} from "./command-queue.js";
export { COMMAND_SPEC_LIMITS, parseCommandSpec, type AtomicCommandSpec, type CommandItemSpec, type CommandSpec, type ItemCommandSpec } from "./command-spec.js";
export { authenticateClientCertificate, peerCertificateDer, type EnrollmentCertificateCheck } from "./client-certificate.js";
