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
  tenantAt,
  queueMdmCommandAt,
  listMdmCommandsAt,
  type MdmCommandDocument,
  type DeploymentAdminClientOptions,
  type ProfileDocument,
} from "./admin-client.js";
export { joinServiceMount, registerJoinService, type JoinMountContext, type JoinRoutesOptions } from "./join/join-routes.js";
export { JoinService, certifyQualifyingData, type JoinServiceOptions } from "./join/join-service.js";
export type { JoinDirectory, JoinRecord, JoinUser, RegisteredJoinDevice } from "./join/join-directory.js";
export { DomainControllerSimulator, type DomainControllerOptions } from "./join/domain-controller.js";
export { MemoryTokenReplayGuard, type TokenReplayGuard } from "./join/token-replay-guard.js";
export type { AttestationKeySource, JsonWebKeySet } from "./join/attestation-keys.js";
export { ATTESTATION_TOKEN_ISSUER as JOIN_ATTESTATION_TOKEN_ISSUER } from "./join/attestation-token-check.js";
export { DEFAULT_DEVICE_TOKEN_TTL_MS, DEVICE_TOKEN_ISSUER, deviceTokenKeyFile, type DeviceTokenClaims } from "./join/device-token.js";
export { parseCommandSpec, type CommandRecord, type CommandSpec, type SessionEngineLimits } from "./mdm/management/index.js";
