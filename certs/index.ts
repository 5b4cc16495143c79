export { issueCaCertificate, keyIdentifierOf, type CaCertificateRequest } from "./ca-certificate.js";
export {
  EK_CERT_NO_EXPIRY,
  issueEkCertificate,
  parseEkCertificate,
  type EkCertificateRequest,
  type ParsedEkCertificate,
} from "./ek-certificate.js";
export { PkiError, type PkiErrorCode } from "./errors.js";
export { describeVendorPki, type VendorCaDescription, type VendorPkiDescription } from "./pki-show.js";
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
  type TpmSpecification,
} from "./tcg-extensions.js";
export { loadVendorPki, type VendorCa, type VendorPki } from "./vendor-pki.js";
export {
  SIMULATED_UNIT,
  VENDORS,
  findVendor,
  vendorByManufacturerId,
  type VendorCaHierarchy,
  type VendorCaProfile,
  type VendorCode,
  type VendorPkiIdentity,
} from "./vendors.js";
export { x509 } from "./x509.js";
export { verifyEkChain, type EkChainStatus } from "./ek-chain.js";
export { revokeSerial, revokedSerials } from "./revocations.js";
export { loadTlsCredentials, loadTlsTrust, type TlsCredentials } from "./tls-ca.js";
