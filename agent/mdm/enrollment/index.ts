export {
  enrollDevice,
  type EnrollDeviceOptions,
  type EnrollingDevice,
  type EnrollmentCredentials,
  type EnrollmentFailure,
  type EnrollmentOutcome,
  type EnrollmentSuccess,
} from "./enroll-device.js";
export type { ReceivedEnrollment } from "./received-enrollment.js";
export { ENROLLMENT_USER_AGENT } from "./soap-transport.js";
export {
  CSR_SIGNATURE_OIDS,
  DEVICE_ID_EXTENSION_OID,
  buildWindowsCsr,
  generateRsaKeyPair,
  windowsCsrCommonName,
  type CsrHash,
  type EnrollmentKeyPair,
  type KeySource,
  type WindowsCsr,
  type WindowsCsrOptions,
} from "./windows-csr.js";
