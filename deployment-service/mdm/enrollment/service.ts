/**
 * The MS-MDE2 enrollment endpoints mounted on a fastify app, on the root of the service's host where Windows looks
 * for them: GET and POST /EnrollmentServer/Discovery.svc, POST /EnrollmentServer/Policy.svc (MS-XCEP) and POST
 * /EnrollmentServer/Enrollment.svc (MS-WSTEP). Bodies are `application/soap+xml; charset=utf-8`, bounded, and
 * every refusal is the MS-MDE2 SOAP fault of its registry code.
 */
import type { FastifyInstance } from "fastify";
import type { MdmCa } from "../../../certs/index.js";
import type { Clock } from "../../../lib/index.js";
import { MDE2_ACTIONS, MDE2_MAX_MESSAGE_BYTES, MDE2_PATHS, type AuthPolicy } from "../../../protocol/index.js";
import type { EnrollmentAuthenticator } from "./authenticator.js";
import { answerDiscover } from "./discovery-endpoint.js";
import { answerRequestSecurityToken } from "./enrollment-endpoint.js";
import type { EnrollmentRegistry } from "./enrollment-registry.js";
import { answerGetPolicies } from "./policy-endpoint.js";
import { installFaultHandler, noteResponseAction, sendSoap } from "./soap-replies.js";

/** Options of {@link registerEnrollmentService}. */
export interface EnrollmentServiceOptions {
  /** The base URL devices reach the service at; the endpoints' URLs are on its root. */
  readonly baseUrl: string;
  /** The tenant's domain: discovery serves its users only. */
  readonly tenantDomain: string;
  readonly authenticator: EnrollmentAuthenticator;
  readonly registry: EnrollmentRegistry;
  readonly mdmCa: MdmCa;
  readonly clock: Clock;
  /** Policies offered, most preferred first; default OnPremise, then Federated, then Certificate when the authenticator checks certificates. */
  readonly authPolicies?: readonly AuthPolicy[];
  /** DMClient ProviderID and w7 PROVIDER-ID; default `apsim`. */
  readonly providerId?: string;
  /** The OMA-DM management server's URL; default `/ManagementServer/MDM.svc` on the base URL's root. */
  readonly managementUrl?: string;
  /** Federated: the authentication page's URL; default `/EnrollmentServer/Authenticate` on the base URL's root. */
  readonly authenticationUrl?: string;
}

/** The default ProviderID. */
export const DEFAULT_PROVIDER_ID = "apsim";
const DEFAULT_AUTH_POLICIES: readonly AuthPolicy[] = ["OnPremise", "Federated"];
const SOAP_TYPES = ["application/soap+xml"];
const RESPONSE_ACTIONS: ReadonlyMap<string, string> = new Map([
  [MDE2_PATHS.discovery, MDE2_ACTIONS.discoverResponse],
  [MDE2_PATHS.policy, MDE2_ACTIONS.getPoliciesResponse],
  [MDE2_PATHS.enrollment, MDE2_ACTIONS.requestSecurityTokenResponse],
]);

/**
 * Mounts the enrollment endpoints on `app` in their own scope (their own SOAP fault handler and, when the app has
 * none, their own parser for SOAP bodies).
 */
export async function registerEnrollmentService(app: FastifyInstance, options: EnrollmentServiceOptions): Promise<void> {
  const url = (path: string): string => new URL(path, options.baseUrl).toString();
  const authPolicies =
    options.authPolicies ?? (options.authenticator.verifyClientCertificate === undefined ? DEFAULT_AUTH_POLICIES : [...DEFAULT_AUTH_POLICIES, "Certificate"]);
  const providerId = options.providerId ?? DEFAULT_PROVIDER_ID;
  const settings = {
    authenticator: options.authenticator,
    registry: options.registry,
    mdmCa: options.mdmCa,
    clock: options.clock,
    authPolicies,
    providerId,
    serverName: `${options.tenantDomain} device management`,
    managementUrl: options.managementUrl ?? url("/ManagementServer/MDM.svc"),
  };
  const discovery = {
    tenantDomain: options.tenantDomain,
    authPolicies,
    policyUrl: url(MDE2_PATHS.policy),
    enrollmentUrl: url(MDE2_PATHS.enrollment),
    authenticationUrl: options.authenticationUrl ?? url("/EnrollmentServer/Authenticate"),
  };
  const bounded = { bodyLimit: MDE2_MAX_MESSAGE_BYTES };

  await app.register((scope, _pluginOptions, registered) => {
    if (!scope.hasContentTypeParser("application/soap+xml")) {
      scope.addContentTypeParser(SOAP_TYPES, { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    }
    installFaultHandler(scope, MDE2_ACTIONS.discoverResponse);
    // Noted before the body is read, so a body refused by the parser still gets its endpoint's fault action.
    scope.addHook("onRequest", (request, _reply, next) => {
      const action = RESPONSE_ACTIONS.get(request.routeOptions.url ?? "");
      if (action !== undefined) noteResponseAction(request, action);
      next();
    });

    scope.get(MDE2_PATHS.discovery, async (_request, reply) => reply.code(200).send());
    scope.post(MDE2_PATHS.discovery, bounded, async (request, reply) => {
      return sendSoap(reply, answerDiscover(request, discovery));
    });
    scope.post(MDE2_PATHS.policy, bounded, async (request, reply) => {
      return sendSoap(reply, await answerGetPolicies(request, options.authenticator, authPolicies));
    });
    scope.post(MDE2_PATHS.enrollment, bounded, async (request, reply) => {
      return sendSoap(reply, await answerRequestSecurityToken(request, settings));
    });
    registered();
  });
}
