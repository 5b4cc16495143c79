/** autopilot-sim's library API: the TPM 2.0 wire library, the emulator and the vendor PKIs. */
export * from "./tpm2/index.js";
export * from "./tpm-emulator/index.js";
export {
  describeVendorPki,
  issueEkCertificate,
  loadVendorPki,
  parseEkCertificate,
  verifyEkChain,
  VENDORS,
  type VendorPki,
} from "./certs/index.js";
export { attestDevice, TpmDevice, openTpm, type AttestationOutcome, type AttestDeviceOptions } from "./agent/index.js";
export { registerAttestationService, registerVendorEndpoints, startServices } from "./attestation-service/index.js";
export { runFleet, type FleetOptions, type FleetReport, type FleetResult } from "./fleet/index.js";
