export { ACTIONS as MDE2_ACTIONS, MDE2_MAX_MESSAGE_BYTES, MDE2_PATHS, NS as MDE2_NAMESPACES, SOAP_MEDIA_TYPE, TOKEN_TYPES as MDE2_TOKEN_TYPES } from "./namespaces.js";
export {
  buildSoapEnvelope,
  decodeBase64,
  newMessageId,
  parseSoapRequest,
  parseSoapResponse,
  type SecurityToken,
  type SoapHeaders,
  type SoapRequest,
} from "./soap.js";
export {
  buildFault,
  faultError,
  faultOf,
  isMde2FaultCode,
  parseFault,
  readFault,
  type FaultErrorType,
  type FaultSubcode,
  type Mde2Fault,
  type Mde2FaultCode,
} from "./faults.js";
export {
  AUTH_POLICIES,
  buildDiscoverRequest,
  buildDiscoverResponse,
  parseDiscoverRequest,
  parseDiscoverResponse,
  type AuthPolicy,
  type DiscoverRequest,
  type DiscoverResponse,
} from "./discovery.js";
export {
  buildGetPoliciesRequest,
  buildGetPoliciesResponse,
  parseGetPoliciesRequest,
  parseGetPoliciesResponse,
  type CertificatePolicy,
  type GetPoliciesRequest,
  type GetPoliciesResponse,
} from "./policy.js";
export {
  CONTEXT_ITEMS,
  buildRequestSecurityToken,
  buildRequestSecurityTokenResponse,
  contextValue,
  contextValues,
  parseRequestSecurityToken,
  parseRequestSecurityTokenResponse,
  type ContextItem,
  type RequestSecurityToken,
  type RequestSecurityTokenResponse,
} from "./enrollment.js";
export { enrollmentContextItems, readEnrollmentContext, type EnrollmentContext } from "./enrollment-context.js";
export {
  buildProvisioningDocument,
  certificateThumbprint,
  parseProvisioningDocument,
  type AppAuth,
  type PollSchedule,
  type ProvisionedCertificate,
  type ProvisioningDocument,
} from "./provisioning-document.js";
