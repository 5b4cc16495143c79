/**
 * The OMA-DM management server mounted on a fastify app (MS-MDM §2.1): `POST <management URL>?mode=Maintenance|Machine
 * &Platform=WoA` with an `application/vnd.syncml.dm+xml` body, over mutual TLS with the enrollment's client
 * certificate (no valid, unrevoked one: 403 MDM_CLIENT_CERTIFICATE_REFUSED, no session), 429 with Retry-After when
 * too many sessions are open; and the admin API of the command queue, behind the admin token:
 * - `POST /deployment/v1/admin/devices/:id/commands` (a command JSON, see command-spec.ts) → 201 the command
 * - `GET /deployment/v1/admin/devices/:id/commands` → `{commands: [...]}` in queue order
 * - `GET /deployment/v1/admin/devices/:id/commands/:commandId` → the command with its statuses and results
 * where `:id` is the device's MDM DeviceID or its enrollment id.
 */
import { X509Certificate } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { bearerTokenMatches, type Clock } from "../../../lib/index.js";
import { ProtocolError, SYNCML_LIMITS, SYNCML_MEDIA_TYPE } from "../../../protocol/index.js";
import type { EnrollmentRecord, EnrollmentRegistry } from "../enrollment/index.js";
import { authenticateClientCertificate, peerCertificateDer } from "./client-certificate.js";
import { CommandQueue, type CommandQueueDatabase, type CommandRecord } from "./command-queue.js";
import { parseCommandSpec } from "./command-spec.js";
import { ManagementSessionEngine, ServerBusyError, type SessionEngineLimits } from "./session-engine.js";

/** Options of {@link registerManagementService}. */
export interface ManagementServiceOptions extends SessionEngineLimits {
  /** The management URL the provisioning document names; its path is the endpoint's route. */
  readonly managementUrl: string;
  /** The deployment store's database, whose schema includes the command queue's migration. */
  readonly db: Kysely<CommandQueueDatabase>;
  readonly registry: EnrollmentRegistry;
  /** PEM of the MDM device CA: client certificates must be its. */
  readonly mdmCaPem: string;
  readonly clock: Clock;
  readonly adminToken: string;
  /** Called when a device opens a session, before its first reply is built (what the device misses is queued there). */
  readonly onSessionOpen?: (enrollment: EnrollmentRecord) => Promise<void>;
}

/** The mounted management server. */
export interface ManagementService {
  readonly queue: CommandQueue;
  readonly engine: ManagementSessionEngine;
}

const ADMIN_DEVICES = "/deployment/v1/admin/devices";
const MAX_COMMAND_JSON_BYTES = 256 * 1024;
const MODES = ["Maintenance", "Machine"];

/** A command as the admin API shows it. */
function commandDocument(record: CommandRecord): Record<string, unknown> {
  return { ...record };
}

/** Mounts the management endpoint and the command queue's admin routes on `app`, in their own scope. */
export async function registerManagementService(app: FastifyInstance, options: ManagementServiceOptions): Promise<ManagementService> {
  const queue = new CommandQueue(options.db);
  const engine = new ManagementSessionEngine({ ...options, queue });
  const route = new URL(options.managementUrl).pathname;
  const check = { mdmCa: new X509Certificate(options.mdmCaPem), registry: options.registry, clock: options.clock };

  const enrollmentOf = async (id: string): Promise<EnrollmentRecord> => {
    const enrollment = (await options.registry.findByDeviceId(id)) ?? (await options.registry.findByEnrollmentId(id));
    if (enrollment === undefined) throw new ProtocolError("MDM_DEVICE_NOT_ENROLLED", id.slice(0, 64));
    return enrollment;
  };
  const authorize = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (bearerTokenMatches(request.headers.authorization, options.adminToken)) return done();
    reply.header("www-authenticate", 'Bearer realm="apsim admin"');
    done(new ProtocolError("UNAUTHORIZED"));
  };

  await app.register((scope, _pluginOptions, registered) => {
    if (!scope.hasContentTypeParser(SYNCML_MEDIA_TYPE)) {
      scope.addContentTypeParser([SYNCML_MEDIA_TYPE], { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    }
    scope.post<{ Querystring: { mode?: string; Platform?: string } }>(route, { bodyLimit: SYNCML_LIMITS.maxBytes }, async (request, reply) => {
      // MS-MDM §2.1: the client certificate authenticates the device before anything of its message is read.
      const enrollment = await authenticateClientCertificate(peerCertificateDer(request.raw.socket), check);
      const { mode } = request.query;
      if (mode !== undefined && !MODES.includes(mode)) throw new ProtocolError("MALFORMED_REQUEST", "mode must be Maintenance or Machine");
      if (!(request.body instanceof Uint8Array)) throw new ProtocolError("UNSUPPORTED_MEDIA_TYPE", `expected ${SYNCML_MEDIA_TYPE}`);
      try {
        const answer = await engine.answer(enrollment, request.body, options.managementUrl);
        return await reply.code(200).type(SYNCML_MEDIA_TYPE).send(answer);
      } catch (error) {
        if (error instanceof ServerBusyError) reply.header("retry-after", String(error.retryAfterSeconds));
        throw error;
      }
    });

    const guarded = { onRequest: authorize };
    scope.post<{ Params: { id: string } }>(`${ADMIN_DEVICES}/:id/commands`, { ...guarded, bodyLimit: MAX_COMMAND_JSON_BYTES }, async (request, reply) => {
      const enrollment = await enrollmentOf(request.params.id);
      const record = await queue.enqueue(enrollment.deviceId, parseCommandSpec(request.body), options.clock.now());
      return reply.code(201).send(commandDocument(record));
    });
    scope.get<{ Params: { id: string } }>(`${ADMIN_DEVICES}/:id/commands`, guarded, async (request) => {
      const enrollment = await enrollmentOf(request.params.id);
      return { commands: (await queue.list(enrollment.deviceId)).map(commandDocument) };
    });
    scope.get<{ Params: { id: string; commandId: string } }>(`${ADMIN_DEVICES}/:id/commands/:commandId`, guarded, async (request) => {
      const enrollment = await enrollmentOf(request.params.id);
      const record = await queue.find(enrollment.deviceId, request.params.commandId);
      if (record === undefined) throw new ProtocolError("MDM_COMMAND_NOT_FOUND", request.params.commandId.slice(0, 64));
      return commandDocument(record);
    });
    registered();
  });
  return { queue, engine };
}
