export { registerEnrollmentService, DEFAULT_PROVIDER_ID, type EnrollmentServiceOptions } from "./service.js";
export type { EnrollmentAuthenticator, EnrollmentIdentity } from "./authenticator.js";
export {
  createEnrollmentRegistry,
  enrollmentMigrations,
  enrollmentTablesMigration,
  type EnrollmentAuthKind,
  type EnrollmentDatabase,
  type EnrollmentRecord,
  type EnrollmentRegistry,
  type MdmEnrollmentsTable,
} from "./enrollment-registry.js";
export { CERTIFICATE_POLICY } from "./policy-endpoint.js";
