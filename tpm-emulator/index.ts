/** The TPM 2.0 emulator: in-process TPMs, their state files, vendor profiles and manufacturing. */
export { TpmEmulator, identityOf, newTpmState, type NewTpmOptions, type TpmEmulatorOptions } from "./emulator.js";
export { TpmStateFileError, loadStateFile, saveStateFile, stateFilePath } from "./state-file.js";
export type { PersistentState, TpmIdentity } from "./state.js";
export { Tpm, DEFAULT_LIMITS, PCR_BANKS, PCR_COUNT, type TpmLimits } from "./tpm.js";
export { VENDOR_PROFILES, findVendorProfile, type VendorProfile, type EkKind } from "./vendor-profiles.js";
export { EK_CERT_NV_ATTRIBUTES, describeTpm, deriveEk, manufactureTpm, type ManufactureOptions, type TpmInfo } from "./manufacture.js";
export { runFactoryCheck, type FactoryCheckRow } from "./factory-check.js";
export { serveTpm, type TpmProtocol, type TpmServer, type TpmServerOptions } from "./transports/tcp-server.js";
export { FAULTS, TpmFaultError, formatTpmFault, parseTpmFault, type TpmFault } from "./faults.js";
export { hasRocaFingerprint } from "./crypto/index.js";
