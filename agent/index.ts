/**
 * The virtual device. This release: its TPM client over every transport (in-process emulator, swtpm and
 * TCG simulator sockets, kernel device), TPM attestation as Windows runs it, and its hardware (a model from
 * the catalogue, its directory on disk, its Autopilot hardware hash).
 */
export { TpmDevice, openTpm, pcrsOf, type CreatedPrimary, type PcrReading, type SignedAttestation, type TpmDeviceOptions } from "./tpm/tpm-device.js";
export { DEFAULT_TPM_PORT, TpmLocationError, parseTpmLocation, type TpmLocation } from "./tpm/tpm-location.js";
export { TpmConnectionError, type TpmConnection, type TpmConnectionFailure } from "./tpm/tpm-connection.js";
export { resubmitting, type ResubmitOptions } from "./tpm/resubmit.js";
export { openSwtpm, type SwtpmOptions } from "./tpm/swtpm-transport.js";
export { openMssim, type MssimOptions } from "./tpm/mssim-transport.js";
export { openDeviceFile } from "./tpm/device-file-transport.js";
export { emulatorConnection, openStateDir } from "./tpm/in-process-transport.js";
export { attestDevice, type AttestDeviceOptions, type EkChoice } from "./attestation/attest-device.js";
export {
  AttestationFailure,
  type AttestationOutcome,
  type AttestationStep,
  type StepEvent,
  type StepName,
  type StepStatus,
} from "./attestation/outcome.js";
export { Backoff, DEFAULT_RETRY, type RetryOptions } from "./attestation/retry-policy.js";
export { WINDOWS_AK_ATTRIBUTES, windowsAkTemplate, type AkKind } from "./attestation/attestation-key.js";
export { AIK_CERTIFICATE_EKU, verifyAikCertificate } from "./attestation/aik-certificate.js";
export { CertificateCache, type CertificateCacheOptions, type CertificateCacheStats } from "./attestation/certificate-cache.js";
export { firmwareTpmVendor, type FirmwareTpmVendor } from "./attestation/firmware-vendors.js";
export { describeOutcome, describeStep } from "./attestation/describe-outcome.js";
export {
  HARDWARE_CATALOGUE,
  findHardwareModel,
  modelsForVendor,
  type CpuChoice,
  type DiskChoice,
  type HardwareModel,
  type OsChoice,
  type TpmPart,
} from "./device/hardware-catalogue.js";
export { DEVICE_FORMAT_VERSION, parseDeviceDescription, type DeviceDescription, type DeviceTpm } from "./device/device-description.js";
export { DeviceError, type DeviceErrorCode } from "./device/device-error.js";
export { deriveBytes, generateDevice, tpmSeedOf, type GenerateDeviceOptions } from "./device/device-model.js";
export {
  DEVICE_FILE,
  DEVICE_TPM_DIR,
  createDeviceDirectory,
  loadDeviceDirectory,
  openDeviceTpm,
  type CreateDeviceOptions,
  type DeviceDirectory,
} from "./device/device-directory.js";
export {
  buildHardwareHash,
  hardwareHashFields,
  hardwareHashOfDirectory,
  readTpmHashFields,
  type TpmHashFields,
} from "./device/hardware-hash-builder.js";
export { joinDevice, type JoinDeviceOptions, type JoinOutcome } from "./join/join-device.js";
export { DEVICE_KEY_ATTRIBUTES, createDeviceKey, deviceKeyTemplate, type CertifiedDeviceKey, type DeviceKeyKind } from "./join/device-key.js";
export { applyOfflineDomainJoin, type DomainMembership } from "./join/domain-join.js";
export type { KeptAttestationKey } from "./attestation/outcome.js";
export {
  buildWindowsCsr,
  enrollDevice,
  generateRsaKeyPair,
  type EnrollDeviceOptions,
  type EnrollingDevice,
  type EnrollmentCredentials,
  type EnrollmentOutcome,
  type KeySource,
} from "./mdm/enrollment/index.js";
export { CSP_NODES } from "./mdm/csp/csp-catalogue.js";
export {
  canonicalLocUri,
  type CspNodeDefinition,
  type DeviceIdentity,
  type ExecBehaviour,
  type NodeAccess,
  type NodeFormat,
} from "./mdm/csp/csp-node.js";
export { CspTree, isDataOfFormat, type CommandReply, type CommandStatus, type CspTreeOptions } from "./mdm/csp/csp-tree.js";
export { MSI_STATUS_INITIALIZED, parseMsiInstallJob, type MsiInstallJob } from "./mdm/csp/exec-handlers.js";
export {
  FileSettingsStore,
  MemorySettingsStore,
  readCspState,
  type CspState,
  type ExecRecord,
  type SettingsStore,
  type StoredNode,
} from "./mdm/csp/settings-store.js";
export {
  answerServerMessage,
  buildFirstPackage,
  runManagementSession,
  type DevicePrepSyncState,
  type ManagementSessionOptions,
  type ManagementSessionResult,
  type SyncMlTransport,
} from "./mdm/management-session.js";
export {
  OMA_DM_USER_AGENT,
  createManagementTransport,
  retryAfterMs,
  type ManagementTransport,
  type ManagementTransportOptions,
} from "./mdm/management-transport.js";
export { VirtualDevice, ENROLLMENT_DIR, type SavedEnrollment, type VirtualDeviceSyncOptions, type VirtualDeviceSyncResult, type ServerConnection, type TechnicianView, type VirtualDeviceOobeOptions } from "./virtual-device.js";
export { runDeviceOobe, type DeviceOobeOptions, type DeviceOobeResult } from "./oobe/device-oobe.js";
export { DeviceEsp, readEspView, runEsp, type DeviceEspOptions, type EspEnrollment, type EspResult, type EspView } from "./esp/index.js";
export { runOobe, stepsAfterProfile, type DeploymentMode, type OobeFlowPart, type OobeRun, type OobeStepHandlers } from "./oobe/run-oobe.js";
export { OobeStepFailure, PRELUDE_STEPS, STEP_TITLES, type OobeStep, type OobeStepName, type OobeStepStatus } from "./oobe/oobe-step.js";
export {
  NEW_OOBE_STATE,
  OOBE_STATE_FILE,
  fileOobeStateStore,
  memoryOobeStateStore,
  parseOobeState,
  type OobeStage,
  type OobeState,
  type OobeStateStore,
} from "./oobe/oobe-state.js";
export { downloadProfile } from "./oobe/profile-client.js";
export { signInUser } from "./oobe/sign-in.js";
export {
  DEFAULT_ENROLLMENT_APPRU,
  discoverAuthenticationServiceUrl,
  formsOf,
  signInAtAuthenticationPage,
  type BrokerExchange,
  type BrokerSignInOptions,
  type PageForm,
} from "./mdm/enrollment/web-authentication-broker.js";
export * from "./mdm/apps/index.js";
