/** MS-XCEP GetPolicies (MS-MDE2 §3.3): an authenticated requester gets the one certificate policy. */
import type { FastifyRequest } from "fastify";
import { buildGetPoliciesResponse, parseGetPoliciesRequest, type AuthPolicy, type CertificatePolicy } from "../../../protocol/index.js";
import type { EnrollmentAuthenticator } from "./authenticator.js";
import { authenticateRequester, clientCertificateOf } from "./credentials.js";
import { noteMessageId, soapBody } from "./soap-replies.js";

/** The policy: RSA-2048 at least, a year's validity, renewal in the last 180 days (Fleet's and Intune's figures). */
export const CERTIFICATE_POLICY: CertificatePolicy = Object.freeze({
  commonName: "MDM device enrollment",
  minimalKeyLength: 2048,
  validityPeriodSeconds: 31_536_000,
  renewalPeriodSeconds: 15_552_000,
  // OIW sha1WithRSASignature: what Microsoft's sample policy names and Windows signs its requests with.
  hashAlgorithmOid: "1.3.14.3.2.29",
});

/** The GetPoliciesResponse envelope for a GetPolicies request. */
export async function answerGetPolicies(
  request: FastifyRequest,
  authenticator: EnrollmentAuthenticator,
  authPolicies: readonly AuthPolicy[],
): Promise<string> {
  const getPolicies = parseGetPoliciesRequest(soapBody(request));
  noteMessageId(request, getPolicies.messageId);
  await authenticateRequester(getPolicies.security, authenticator, authPolicies, clientCertificateOf(request));
  return buildGetPoliciesResponse({ relatesTo: getPolicies.messageId, policy: CERTIFICATE_POLICY });
}
