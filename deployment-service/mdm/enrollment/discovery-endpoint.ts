/**
 * Discovery (MS-MDE2 §3.1): GET answers 200 with an empty body (Windows probes before it POSTs); POST Discover
 * answers the authentication policy chosen and the policy and enrollment URLs.
 */
import type { FastifyRequest } from "fastify";
import { ProtocolError, buildDiscoverResponse, parseDiscoverRequest, type AuthPolicy } from "../../../protocol/index.js";
import { noteMessageId, soapBody } from "./soap-replies.js";

/** What discovery answers with. */
export interface DiscoverySettings {
  readonly tenantDomain: string;
  /** The policies the service offers, most preferred first. */
  readonly authPolicies: readonly AuthPolicy[];
  readonly policyUrl: string;
  readonly enrollmentUrl: string;
  readonly authenticationUrl: string;
}

/** The DiscoverResponse envelope for a Discover request. */
export function answerDiscover(request: FastifyRequest, settings: DiscoverySettings): string {
  const discover = parseDiscoverRequest(soapBody(request));
  noteMessageId(request, discover.messageId);
  const domain = discover.emailAddress.slice(discover.emailAddress.lastIndexOf("@") + 1).toLowerCase();
  if (!discover.emailAddress.includes("@") || domain !== settings.tenantDomain.toLowerCase()) {
    throw new ProtocolError("MDE2_AUTHORIZATION", `this server enrolls ${settings.tenantDomain} users only`);
  }
  const authPolicy = settings.authPolicies.find((policy) => discover.authPolicies.includes(policy));
  if (authPolicy === undefined) {
    throw new ProtocolError("MDE2_NOT_SUPPORTED", `no authentication policy in common (server offers ${settings.authPolicies.join(", ")})`);
  }
  return buildDiscoverResponse({
    relatesTo: discover.messageId,
    authPolicy,
    enrollmentVersion: discover.requestVersion,
    enrollmentPolicyServiceUrl: settings.policyUrl,
    enrollmentServiceUrl: settings.enrollmentUrl,
    authenticationServiceUrl: authPolicy === "Federated" ? settings.authenticationUrl : undefined,
  });
}
