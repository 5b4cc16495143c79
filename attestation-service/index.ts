/** The attestation side: simulated vendor endpoints, the AIK service, and the process that runs them. */
export {
  startServices,
  type AttestationServiceName,
  type ExtraService,
  type ExtraServiceContext,
  type RunningServices,
  type StartServicesOptions,
} from "./server.js";
export {
  OUTAGE_RETRY_AFTER_SECONDS,
  registerVendorEndpoints,
  type VendorEndpoints,
  type VendorEndpointsOptions,
} from "./vendors/endpoints.js";
export { DEFAULT_FAULT_SEED, VendorFaultController, type FaultDecision } from "./vendors/fault-controller.js";
export {
  VENDOR_FAULTS,
  VendorFaultError,
  combineVendorFaults,
  formatVendorFault,
  parseVendorFault,
  parseVendorFaultList,
  parseVendorFaultSpec,
  type VendorFault,
  type VendorFaultAssignment,
  type VendorFaultErrorCode,
  type VendorFaultSet,
} from "./vendors/faults.js";
export { EK_SERVICE_STYLES, ekKeyParts } from "./vendors/ek-index.js";
export { VENDOR_CRL_VALIDITY_MS } from "./vendors/ca-documents.js";
export type { PublishedEkCertificateDocument, VendorFaultsDocument } from "./vendors/admin-routes.js";
export {
  clearVendorFaults,
  getVendorFaults,
  publishEkCertificateAt,
  setVendorFaults,
  type VendorAdminClientOptions,
} from "./vendors/admin-client.js";
export {
  DEFAULT_SESSION_TTL_MS,
  pcrSelectionFor,
  registerAttestationService,
  type AttestationService,
  type AttestationServiceOptions,
} from "./service.js";
export type { PcrExpectation, PcrPolicy } from "./checks/pcr-policy.js";
export { DEFAULT_MAX_CLOCK_SKEW_MS } from "./checks/clock-skew.js";
export {
  ATTESTATION_TOKEN_ISSUER,
  DEFAULT_TOKEN_TTL_MS,
  tokenKeyFile,
  type AttestationJwks,
  type AttestationTokenClaims,
  type AttestationTokenTpm,
} from "./attestation-token.js";
export { AIK_CERTIFICATE_VALIDITY_MS } from "./aik-issuer.js";
export { BLOCKED_FIRMWARE, isFirmwareBlocked } from "./checks/vulnerable-firmware.js";
export {
  openAttestationStore,
  type AkClock,
  type AttestationStore,
  type ConsumeOutcome,
  type IssuedCertificateRecord,
  type SessionRecord,
} from "./store/attestation-store.js";
export { DEFAULT_SQLITE_FILE, parseDatabaseLocation, type DatabaseKind, type DatabaseLocation } from "./store/database.js";
