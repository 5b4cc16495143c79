export {
  ATTESTATION_API_VERSION,
  ATTESTATION_LIMITS,
  ATTESTATION_MEDIA_TYPE,
  ATTESTATION_PATHS,
  parseChallengeRequest,
  parseChallengeResponse,
  parseProofRequest,
  parseProofResponse,
  type ChallengeRequest,
  type ChallengeResponse,
  type PcrValue,
  type ProofRequest,
  type ProofResponse,
  type TpmProperties,
} from "./attestation.js";
export {
  amdEkCertificateId,
  decodeIntelEkCertificateBody,
  ekCertificatePath,
  ekCertificateUrl,
  ekPublicKeyParts,
  encodeIntelEkCertificateBody,
  intelEkCertificateId,
  qualcommEkCertificateId,
  type EkCertificateServiceStyle,
  type EkPublicKeyParts,
  type IntelEkCertificateBody,
} from "./ek-certificate-urls.js";
export {
  ERRORS,
  HRESULT_ATTESTATION_RETRY_EXCEEDED,
  HRESULT_BAD_REQUEST,
  HRESULT_TIMEOUT,
  HRESULT_TPM_VULNERABLE,
  ProtocolError,
  errorBody,
  errorDefinition,
  formatHresult,
  parseErrorBody,
  type ErrorBody,
  type ErrorCode,
  type ErrorDefinition,
} from "./errors.js";
export { VIRTUAL_HOST_SUFFIX, isVirtualHost, normalizeBaseUrl, resolveVirtualUrl, virtualHostPrefix } from "./virtual-hosts.js";
export { decodeCborBody, installProtocolErrorHandler, sendCbor } from "./http.js";
export { renderErrorTable } from "./error-table.js";
