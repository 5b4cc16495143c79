/**
 * The join service on a fastify app: `POST /EnrollmentServer/device/` (protocol/join.ts) and, for hybrid joins,
 * the simulated domain controller's virtual host.
 */
import type { FastifyInstance } from "fastify";
import { loadTlsTrust } from "../../certs/index.js";
import type { Clock } from "../../lib/index.js";
import { JOIN_LIMITS, JOIN_PATH, formatJoinResponse, parseJoinRequest } from "../../protocol/index.js";
import type { AttestationKeySource } from "./attestation-keys.js";
import { JoinService, type JoinServiceOptions } from "./join-service.js";

/** Options of {@link registerJoinService}. */
export type JoinRoutesOptions = JoinServiceOptions;

/** Mounts the join endpoint (and the domain controller, when given) on `app`; close the service when done. */
export async function registerJoinService(app: FastifyInstance, options: JoinRoutesOptions): Promise<JoinService> {
  const service = await JoinService.create(options);
  app.post(`/${JOIN_PATH}`, { bodyLimit: JOIN_LIMITS.maxBodyBytes }, async (request, reply) => {
    const response = await service.join(parseJoinRequest(request.body));
    return reply.type("application/json").send(formatJoinResponse(response));
  });
  options.domainController?.register(app);
  return service;
}

/** What {@link joinServiceMount}'s function is given by the process that runs it. */
export interface JoinMountContext {
  readonly home: string;
  /** The server's base URL: the attestation service's keys are fetched there unless given. */
  readonly url: string;
  readonly clock: Clock;
}

/**
 * The join service as a function that mounts it next to the attestation service (startServices' `extraServices`):
 * the attestation token keys come from the same server, trusted through the home's TLS CA.
 */
export function joinServiceMount(
  options: Omit<JoinServiceOptions, "home" | "clock" | "attestationKeys"> & { readonly attestationKeys?: AttestationKeySource },
): (app: FastifyInstance, context: JoinMountContext) => Promise<JoinService> {
  return async (app, context) =>
    registerJoinService(app, {
      ...options,
      home: context.home,
      clock: context.clock,
      attestationKeys: options.attestationKeys ?? { url: context.url, ca: await loadTlsTrust(context.home) },
    });
}
