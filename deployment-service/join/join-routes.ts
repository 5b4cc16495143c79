/**
 * The join service on a fastify app: `POST /EnrollmentServer/device/` (protocol/join.ts) and, for hybrid joins,
 * the simulated domain controller's virtual host.
 */
import type { FastifyInstance } from "fastify";
import { JOIN_LIMITS, JOIN_PATH, formatJoinResponse, parseJoinRequest } from "../../protocol/index.js";
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
