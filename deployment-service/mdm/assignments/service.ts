/**
 * The payload catalogue mounted on a fastify app, and the queueing of what each device is missing. Admin API,
 * behind the admin token:
 * - `POST /deployment/v1/admin/payloads` (a payload JSON, see payload-spec.ts) → 201 the payload
 * - `GET /deployment/v1/admin/payloads` → `{payloads: [...]}`; `GET|DELETE /deployment/v1/admin/payloads/:id`
 * - `GET /deployment/v1/admin/devices/:id/payloads` → `{payloads: [...]}` the enrolled device gets (409
 *   PAYLOAD_MIXED_APP_TYPES for a pre-provisioned device assigned Win32 and MSI apps)
 * - `GET /deployment/v1/admin/devices/:id/extension-results` → `{results: [...]}` the management extension reported
 * and, for devices, `GET /deployment/v1/content/:id` → the app content bytes (the MsiInstallJob carries their
 * SHA-256; content ids are random UUIDs), and the management-extension channel (management-extension.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { bearerTokenMatches, type Clock } from "../../../lib/index.js";
import { ProtocolError } from "../../../protocol/index.js";
import type { EnrollmentRecord, EnrollmentRegistry } from "../enrollment/index.js";
import { CommandQueue, type CommandQueueDatabase } from "../management/index.js";
import type { ManagedDeviceOf } from "./managed-device.js";
import { registerManagementExtensionRoutes } from "./management-extension.js";
import { CONTENT_ROUTE, commandsFor, type ContentUrlOf } from "./payload-commands.js";
import { PAYLOAD_LIMITS, parsePayload } from "./payload-spec.js";
import { PayloadStore, type PayloadDatabase, type PayloadRecord } from "./payload-store.js";
import { payloadsFor } from "./resolve-payloads.js";

/** Options of {@link registerPayloadService}. */
export interface PayloadServiceOptions {
  /** The deployment store's database, whose schema includes the catalogue's and the command queue's migrations. */
  readonly db: Kysely<PayloadDatabase & CommandQueueDatabase>;
  readonly registry: EnrollmentRegistry;
  /** PEM of the MDM device CA: the management extension's client certificates must be its. */
  readonly mdmCaPem: string;
  readonly managedDeviceOf: ManagedDeviceOf;
  /** The base URL devices reach the service at: content URLs are on it. */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly adminToken: string;
}

/** The mounted catalogue. */
export interface PayloadService {
  readonly store: PayloadStore;
  /** The payloads an enrolled device gets. */
  payloadsOf(enrollment: EnrollmentRecord): Promise<PayloadRecord[]>;
  /**
   * Queues the commands of every payload the device gets and was not yet given; a pre-provisioned device with
   * mixed app types gets nothing queued (the admin API shows why).
   */
  queueMissing(enrollment: EnrollmentRecord): Promise<void>;
}

const ADMIN_PAYLOADS = "/deployment/v1/admin/payloads";
const ADMIN_DEVICES = "/deployment/v1/admin/devices";

/** A payload as the admin API shows it (content bytes are served apart). */
export function payloadDocument(record: PayloadRecord): Record<string, unknown> {
  return { payloadId: record.payloadId, ...record.spec, ...(record.content === undefined ? {} : { content: record.content }), createdAt: record.createdAt };
}

/** Mounts the catalogue's routes on `app`, in their own scope. */
export async function registerPayloadService(app: FastifyInstance, options: PayloadServiceOptions): Promise<PayloadService> {
  const store = new PayloadStore(options.db);
  const queue = new CommandQueue(options.db);
  const contentUrlOf: ContentUrlOf = (contentId) => new URL(CONTENT_ROUTE.replace(":id", encodeURIComponent(contentId)), options.baseUrl).toString();

  const payloadsOf = async (enrollment: EnrollmentRecord): Promise<PayloadRecord[]> =>
    payloadsFor(await store.list(), await options.managedDeviceOf(enrollment));

  const queueMissing = async (enrollment: EnrollmentRecord): Promise<void> => {
    let payloads: PayloadRecord[];
    try {
      payloads = await payloadsOf(enrollment);
    } catch (error) {
      if (error instanceof ProtocolError && error.code === "PAYLOAD_MIXED_APP_TYPES") return;
      throw error;
    }
    const delivered = await store.deliveredTo(enrollment.deviceId);
    for (const payload of payloads) {
      if (delivered.has(payload.payloadId)) continue;
      const commands = commandsFor(payload, contentUrlOf);
      if (commands.length === 0) continue;
      const now = options.clock.now();
      for (const command of commands) await queue.enqueue(enrollment.deviceId, command, now);
      await store.markDelivered(enrollment.deviceId, payload.payloadId, now);
    }
  };

  const authorize = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (bearerTokenMatches(request.headers.authorization, options.adminToken)) return done();
    reply.header("www-authenticate", 'Bearer realm="apsim admin"');
    done(new ProtocolError("UNAUTHORIZED"));
  };
  const enrollmentOf = async (id: string): Promise<EnrollmentRecord> => {
    const enrollment = (await options.registry.findByDeviceId(id)) ?? (await options.registry.findByEnrollmentId(id));
    if (enrollment === undefined) throw new ProtocolError("MDM_DEVICE_NOT_ENROLLED", id.slice(0, 64));
    return enrollment;
  };
  const payloadOf = async (id: string): Promise<PayloadRecord> => {
    const record = await store.find(id);
    if (record === undefined) throw new ProtocolError("PAYLOAD_NOT_FOUND", id.slice(0, 64));
    return record;
  };

  await app.register((scope, _pluginOptions, registered) => {
    const guarded = { onRequest: authorize };
    scope.post(ADMIN_PAYLOADS, { ...guarded, bodyLimit: PAYLOAD_LIMITS.maxDocumentBytes }, async (request, reply) => {
      const record = await store.create(parsePayload(request.body), options.clock.now());
      return reply.code(201).send(payloadDocument(record));
    });
    scope.get(ADMIN_PAYLOADS, guarded, async () => ({ payloads: (await store.list()).map(payloadDocument) }));
    scope.get<{ Params: { id: string } }>(`${ADMIN_PAYLOADS}/:id`, guarded, async (request) => payloadDocument(await payloadOf(request.params.id)));
    scope.delete<{ Params: { id: string } }>(`${ADMIN_PAYLOADS}/:id`, guarded, async (request, reply) => {
      if (!(await store.delete(request.params.id))) throw new ProtocolError("PAYLOAD_NOT_FOUND", request.params.id.slice(0, 64));
      return reply.code(204).send();
    });
    scope.get<{ Params: { id: string } }>(`${ADMIN_DEVICES}/:id/payloads`, guarded, async (request) => {
      return { payloads: (await payloadsOf(await enrollmentOf(request.params.id))).map(payloadDocument) };
    });
    scope.get<{ Params: { id: string } }>(`${ADMIN_DEVICES}/:id/extension-results`, guarded, async (request) => {
      return { results: await store.extensionResults((await enrollmentOf(request.params.id)).deviceId) };
    });
    scope.get<{ Params: { id: string } }>(CONTENT_ROUTE, async (request, reply) => {
      const bytes = await store.content(request.params.id);
      if (bytes === undefined) throw new ProtocolError("PAYLOAD_CONTENT_NOT_FOUND", request.params.id.slice(0, 64));
      return reply.type("application/octet-stream").send(bytes);
    });
    registerManagementExtensionRoutes(scope, { store, registry: options.registry, mdmCaPem: options.mdmCaPem, clock: options.clock, contentUrlOf, payloadsOf });
    registered();
  });
  return { store, payloadsOf, queueMissing };
}
