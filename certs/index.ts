export { issueCaCertificate, keyIdentifierOf, type CaCertificateRequest } from "./ca-certificate.js";
export {
  EK_CERT_NO_EXPIRY,
  issueEkCertificate,
  parseEkCertificate,
  type EkCertificateRequest,
  type ParsedEkCertificate,
} from "./ek-certificate.js";
export { PkiError, type PkiErrorCode } from "./errors.js";
export {
  describeAikPki,
  describeVendorPki,
  type AikCaDescription,
  type AikPkiDescription,
  type VendorCaDescription,
  type VendorPkiDescription,
} from "./pki-show.js";
export { exportPrivateKeyPem, generateCaKeyPair, importCaPrivateKey, type KeyKind } from "./signing-key.js";
export {
  TCG_OID,
  TpmSpecificationAsn,
  createTpmSpecificationExtension,
  createTpmSubjectAltName,
  formatTpmId,
  parseTpmId,
  parseTpmSpecificationExtension,
  parseTpmSubjectAltName,
  type TpmDeviceAttributes,
  type TpmSanLayout,
  type TpmSpecification,
} from "./tcg-extensions.js";
export { loadVendorPki, type VendorCa, type VendorPki } from "./vendor-pki.js";
export {
  SIMULATED_UNIT,
  VENDORS,
  findVendor,
  vendorByManufacturerId,
  type EkCertificateQuirks,
  type TpmVendorKind,
  type VendorCaHierarchy,
  type VendorCaProfile,
  type VendorCode,
  type VendorPkiIdentity,
} from "./vendors.js";
export { x509 } from "./x509.js";
export { verifyEkChain, type EkChainStatus } from "./ek-chain.js";
export { revokeSerial, revokedSerials } from "./revocations.js";
export { loadTlsCredentials, loadTlsTrust, type TlsCredentials } from "./tls-ca.js";
export {
  listPublishedEkCertificates,
  publishEkCertificate,
  type PublishEkCertificateOptions,
  type PublishedEkCertificate,
} from "./ek-publication.js";
export { createTbsSigner, signTbsCertificate, verifyCertificateSignature, type TbsSigner } from "./certificate-signature.js";
export { CRL_VALIDITY_MS, currentCrl, issueCrl, type CrlIssuer, type RevokedCertificate } from "./crl.js";
export { issueExpiredCopy } from "./expired-ca-copy.js";
export {
  AIK_PKI_HOST,
  AIK_POLICY_OID,
  TPM_ROOT_CA_COMMON_NAME,
  TPM_ROOT_CA_NAME,
  aikIssuingCaName,
  listAikIssuingCas,
  loadAikIssuingCa,
  loadTpmRootCa,
  type AikCa,
} from "./aik-pki.js";
export { issueAikCertificate, parseAikCertificate, type AikCertificateRequest, type ParsedAikCertificate } from "./aik-certificate.js";
export { createAikCertificateIssuer, type AikCertificateIssuer } from "./aik-certificate-issuer.js";
export { readEkPublicKey } from "./ek-public-key.js";
export { issueEkCertificateForOrder, type EkCertificateOrder, type IssuedEkCertificate } from "./ek-certificate-order.js";
export { TRUST_BUNDLE_TPM_ROOT_FOLDER, exportTrustBundle, type TrustBundleSummary } from "./trust-bundle.js";
export { initPki, type PkiInitSummary } from "./pki-init.js";
export {
  certificateFacts,
  isCaCertificate,
  readCertificate,
  type AnyCertificate,
  type CertificateExtension,
  type CertificateFacts,
} from "./certificate-reader.js";
export { readEkCertificate, type EkCertificateFacts } from "./ek-certificate-reader.js";
export { spkiOfTpmPublic } from "./tpm-public-spki.js";
export {
  MDM_CA_COMMON_NAME,
  MDM_CA_NAME,
  MDM_CLIENT_VALIDITY_DAYS,
  issueMdmClientCertificate,
  loadMdmCa,
  type MdmCa,
  type MdmClientCertificateRequest,
} from "./mdm-ca.js";
export {
  MS_DEVICE_ID_EXTENSION_OID,
  parseCertificateRequest,
  requestedDeviceId,
  verifyCertificateRequest,
  type CertificateRequest,
  type RequestedExtension,
} from "./pkcs10-verification.js";
export {
  DEVICE_IDENTITY_VALIDITY_DAYS,
  DEVICE_REGISTRATION_CA_COMMON_NAME,
  DEVICE_REGISTRATION_CA_NAME,
  issueDeviceIdentityCertificate,
  loadDeviceRegistrationCa,
  type DeviceIdentityCertificateRequest,
  type DeviceRegistrationCa,
} from "./device-identity-ca.js";
