/**
 * Namespace URIs, WS-Addressing actions and token value types of MS-MDE2 enrollment (MS-MDE2 §2.2, §3.1–§3.4;
 * MS-XCEP §3.1.4.1; MS-WSTEP §3.1.4.1).
 */

/** XML namespaces the messages use. */
export const NS = Object.freeze({
  soap: "http://www.w3.org/2003/05/soap-envelope",
  addressing: "http://www.w3.org/2005/08/addressing",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  wst: "http://docs.oasis-open.org/ws-sx/ws-trust/200512",
  authorization: "http://schemas.xmlsoap.org/ws/2006/12/authorization",
  /** MS-MDE2 §3.1 discovery messages. */
  discovery: "http://schemas.microsoft.com/windows/management/2012/01/enrollment",
  /** MS-XCEP policy messages. */
  policy: "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy",
  /** MS-WSTEP enrollment and the DeviceEnrollmentServiceError fault detail. */
  enrollment: "http://schemas.microsoft.com/windows/pki/2009/01/enrollment",
  diagnostics: "http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics",
});

/** WS-Addressing actions of requests and responses. */
export const ACTIONS = Object.freeze({
  discover: "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/Discover",
  discoverResponse: "http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse",
  getPolicies: "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies",
  getPoliciesResponse: "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPoliciesResponse",
  requestSecurityToken: "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep",
  requestSecurityTokenResponse: "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep",
});

/** Token types and value types of WS-Trust and WS-Security elements. */
export const TOKEN_TYPES = Object.freeze({
  /** wst:TokenType of an MDM enrollment request and response. */
  deviceEnrollment: "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken",
  /** wst:RequestType of a new enrollment. */
  issue: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
  /** BinarySecurityToken value types of the certificate request. */
  pkcs10: "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10",
  pkcs7: "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS7",
  /** The response's token: the base64 wap-provisioningdoc. */
  provisionDoc: "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc",
  /** Federated authentication: the token from the service's authentication page (MS-MDE2 §3.4.4.1.1.1.1). */
  userToken: "http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentUserToken",
  /** A joined device's token (JWT), as Entra-joined and Autopilot devices send it. */
  jwt: "urn:ietf:params:oauth:token-type:jwt",
  /** wsse:Password Type of the OnPremise UsernameToken. */
  passwordText: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText",
  base64Binary: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary",
});

/** `application/soap+xml; charset=utf-8`, the media type of every MS-MDE2 message. */
export const SOAP_MEDIA_TYPE = "application/soap+xml; charset=utf-8";

/** Paths of the enrollment endpoints on the root of the enrollment server's host. */
export const MDE2_PATHS = Object.freeze({
  discovery: "/EnrollmentServer/Discovery.svc",
  policy: "/EnrollmentServer/Policy.svc",
  enrollment: "/EnrollmentServer/Enrollment.svc",
});

/** Largest MS-MDE2 message either end accepts. */
export const MDE2_MAX_MESSAGE_BYTES = 256 * 1024;
