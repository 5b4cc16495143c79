/**
 * The virtual device. This release: its TPM client over every transport (in-process emulator, swtpm and
 * TCG simulator sockets, kernel device) and TPM attestation as Windows runs it.
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
