/**
 * Discovery (MS-MDE2 §3.1.4.1): the client POSTs Discover with its e-mail address and the authentication policies
 * it supports; the server answers with the one it chose and the policy and enrollment service URLs.
 */
import { childElement, xmlNode } from "../../lib/index.js";
import { ACTIONS, NS } from "./namespaces.js";
import { buildSoapEnvelope, expectElement, malformed, optionalText, parseSoapRequest, parseSoapResponse, requiredChildren, requiredText } from "./soap.js";
import { faultError, readFault } from "./faults.js";

/** The authentication policies of MS-MDE2 §3.1.4.1.3.1. */
export const AUTH_POLICIES = ["OnPremise", "Federated", "Certificate"] as const;
/** An authentication policy. */
export type AuthPolicy = (typeof AUTH_POLICIES)[number];

/** MS-MDE2 §3.1.4.1.3.1 DiscoveryRequest. */
export interface DiscoverRequest {
  readonly messageId: string;
  readonly to?: string | undefined;
  readonly emailAddress: string;
  readonly requestVersion: string;
  readonly deviceType: string;
  readonly applicationVersion: string;
  /** The Windows product type as a decimal number (48 Professional, 72 Enterprise Evaluation, …). */
  readonly osEdition: string;
  readonly authPolicies: readonly AuthPolicy[];
}

/** MS-MDE2 §3.1.4.1.3.2 DiscoveryResponse. */
export interface DiscoverResponse {
  readonly relatesTo: string;
  readonly authPolicy: AuthPolicy;
  readonly enrollmentVersion?: string | undefined;
  readonly enrollmentPolicyServiceUrl?: string | undefined;
  readonly enrollmentServiceUrl: string;
  /** Federated only: the start page of the authentication broker. */
  readonly authenticationServiceUrl?: string | undefined;
}

function authPolicyOf(text: string): AuthPolicy {
  const policy = AUTH_POLICIES.find((candidate) => candidate.toLowerCase() === text.trim().toLowerCase());
  if (policy === undefined) throw malformed(`unknown AuthPolicy ${text.trim()}`);
  return policy;
}

/** Serializes a Discover request as Windows sends it. */
export function buildDiscoverRequest(request: DiscoverRequest): string {
  const body = xmlNode(
    "Discover",
    { xmlns: NS.discovery },
    xmlNode(
      "request",
      { "xmlns:i": NS.xsi },
      xmlNode("EmailAddress", {}, request.emailAddress),
      xmlNode("RequestVersion", {}, request.requestVersion),
      xmlNode("DeviceType", {}, request.deviceType),
      xmlNode("ApplicationVersion", {}, request.applicationVersion),
      xmlNode("OSEdition", {}, request.osEdition),
      xmlNode("AuthPolicies", {}, ...request.authPolicies.map((policy) => xmlNode("AuthPolicy", {}, policy))),
    ),
  );
  return buildSoapEnvelope({ action: ACTIONS.discover, messageId: request.messageId, ...(request.to === undefined ? {} : { to: request.to }) }, body);
}

/** Reads a Discover request; MDE2_MESSAGE_FORMAT when it is not one. */
export function parseDiscoverRequest(input: string | Uint8Array): DiscoverRequest {
  const soap = parseSoapRequest(input, ACTIONS.discover);
  const discover = expectElement(soap.body, NS.discovery, "Discover");
  const request = childElement(discover, NS.discovery, "request");
  if (request === undefined) throw malformed("Discover has no request");
  const policies = childElement(request, NS.discovery, "AuthPolicies");
  return {
    messageId: soap.messageId,
    to: soap.to,
    emailAddress: requiredText(request, NS.discovery, "EmailAddress"),
    requestVersion: optionalText(request, NS.discovery, "RequestVersion") ?? "1.0",
    deviceType: optionalText(request, NS.discovery, "DeviceType") ?? "",
    applicationVersion: optionalText(request, NS.discovery, "ApplicationVersion") ?? "",
    osEdition: optionalText(request, NS.discovery, "OSEdition") ?? "",
    // A client that lists no policy supports OnPremise only (MS-MDE2 §3.1.4.1.3.1).
    authPolicies:
      policies === undefined ? ["OnPremise"] : requiredChildren(policies, NS.discovery, "AuthPolicy").map((policy) => authPolicyOf(policy.text)),
  };
}

/** Serializes a DiscoverResponse. */
export function buildDiscoverResponse(response: DiscoverResponse): string {
  const body = xmlNode(
    "DiscoverResponse",
    { xmlns: NS.discovery },
    xmlNode(
      "DiscoverResult",
      {},
      xmlNode("AuthPolicy", {}, response.authPolicy),
      response.enrollmentVersion === undefined ? undefined : xmlNode("EnrollmentVersion", {}, response.enrollmentVersion),
      response.enrollmentPolicyServiceUrl === undefined
        ? undefined
        : xmlNode("EnrollmentPolicyServiceUrl", {}, response.enrollmentPolicyServiceUrl),
      xmlNode("EnrollmentServiceUrl", {}, response.enrollmentServiceUrl),
      response.authenticationServiceUrl === undefined
        ? undefined
        : xmlNode("AuthenticationServiceUrl", {}, response.authenticationServiceUrl),
    ),
  );
  return buildSoapEnvelope({ action: ACTIONS.discoverResponse, relatesTo: response.relatesTo }, body);
}

/** Reads a DiscoverResponse; a fault becomes its registry error (thrown). */
export function parseDiscoverResponse(input: string | Uint8Array): DiscoverResponse {
  const soap = parseSoapResponse(input);
  const fault = readFault(soap.body, soap.relatesTo);
  if (fault !== undefined) throw faultError(fault);
  const result = childElement(expectElement(soap.body, NS.discovery, "DiscoverResponse"), NS.discovery, "DiscoverResult");
  if (result === undefined) throw malformed("DiscoverResponse has no DiscoverResult");
  if (soap.relatesTo === undefined) throw malformed("DiscoverResponse has no RelatesTo");
  return {
    relatesTo: soap.relatesTo,
    authPolicy: authPolicyOf(requiredText(result, NS.discovery, "AuthPolicy")),
    enrollmentVersion: optionalText(result, NS.discovery, "EnrollmentVersion"),
    enrollmentPolicyServiceUrl: optionalText(result, NS.discovery, "EnrollmentPolicyServiceUrl"),
    enrollmentServiceUrl: requiredText(result, NS.discovery, "EnrollmentServiceUrl"),
    authenticationServiceUrl: optionalText(result, NS.discovery, "AuthenticationServiceUrl"),
  };
}
