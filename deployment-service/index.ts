export {
  deploymentServiceMount,
  registerDeploymentService,
  type DeploymentMountContext,
  type DeploymentService,
  type DeploymentServiceOptions,
} from "./service.js";
export {
  DEPLOYMENT_ADMIN_PREFIX,
  DEPLOYMENT_PARTNER_PREFIX,
  type DeviceDocument,
  type RegistrationDocument,
} from "./admin-routes.js";
export { DEFAULT_TENANT_DOMAIN, Directory, devicePhysicalIds, hardwareHashDigest } from "./directory/directory.js";
export { MembershipRuleError, evaluateMembershipRule, parseMembershipRule, type RuleDevice, type RuleNode } from "./directory/membership-rule.js";
export { hashPassword, verifyPassword } from "./directory/passwords.js";
export {
  DEFAULT_SQLITE_FILE as DEPLOYMENT_SQLITE_FILE,
  openDeploymentStore,
  type DeploymentStore,
  type DeviceRecord,
  type TenantRecord,
  type UserRecord,
} from "./store/deployment-store.js";
export type { DeploymentDatabase } from "./store/schema.js";
export type { MigrationSet } from "./store/migrations.js";
export type { ProfileSettings } from "./profiles/profile-settings.js";
export {
  createProfileAt,
  createUserAt,
  exportProfileAt,
  grantConsentAt,
  importCsvAt,
  listDevicesAt,
  listProfilesAt,
  revokeConsentAt,
  type DeploymentAdminClientOptions,
  type ProfileDocument,
} from "./admin-client.js";
