/**
 * The Enrollment Status Page's admin API, behind the admin token:
 * - `PUT /deployment/v1/admin/esp` (settings JSON, see esp-settings.ts) → 200 the tenant's default settings
 * - `GET|DELETE /deployment/v1/admin/esp` → the default settings / 204
 * - `PUT|GET|DELETE /deployment/v1/admin/esp/profiles/:profileId` → one deployment profile's settings
 * - `GET /deployment/v1/admin/esp/devices/:id` → what the device's ESP tracks and whether the server has finished
 * where `:id` is the device's MDM DeviceID or its enrollment id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { bearerTokenMatches, type Clock } from "../../../lib/index.js";
import { ProtocolError } from "../../../protocol/index.js";
import type { EnrollmentRegistry } from "../enrollment/index.js";
import { parseEspSettings } from "./esp-settings.js";
import { TENANT_DEFAULT_SCOPE, profileScope, type EspStore } from "./esp-store.js";

/** Options of {@link registerEspRoutes}. */
export interface EspRoutesOptions {
  readonly store: EspStore;
  readonly registry: EnrollmentRegistry;
  readonly clock: Clock;
  readonly adminToken: string;
  /** True when a deployment profile has this id (settings of unknown profiles are refused). */
  readonly profileExists: (profileId: string) => Promise<boolean>;
}

const ROOT = "/deployment/v1/admin/esp";
const MAX_SETTINGS_JSON_BYTES = 16 * 1024;

/** Mounts the ESP admin routes on `app`, in their own scope. */
export async function registerEspRoutes(app: FastifyInstance, options: EspRoutesOptions): Promise<void> {
  const { store, clock } = options;
  const authorize = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (bearerTokenMatches(request.headers.authorization, options.adminToken)) return done();
    reply.header("www-authenticate", 'Bearer realm="apsim admin"');
    done(new ProtocolError("UNAUTHORIZED"));
  };
  const read = async (scope: string) => {
    const settings = await store.settings(scope);
    if (settings === undefined) throw new ProtocolError("ESP_SETTINGS_NOT_FOUND", scope.slice(0, 80));
    return settings;
  };
  const remove = async (scope: string, reply: FastifyReply) => {
    if (!(await store.deleteSettings(scope))) throw new ProtocolError("ESP_SETTINGS_NOT_FOUND", scope.slice(0, 80));
    return reply.code(204).send();
  };
  const profile = async (profileId: string): Promise<string> => {
    if (!(await options.profileExists(profileId))) throw new ProtocolError("NOT_FOUND", `no deployment profile ${profileId.slice(0, 64)}`);
    return profileScope(profileId);
  };

  await app.register((scope, _pluginOptions, registered) => {
    const guarded = { onRequest: authorize };
    const writable = { ...guarded, bodyLimit: MAX_SETTINGS_JSON_BYTES };
    scope.put(ROOT, writable, async (request) => {
      const settings = parseEspSettings(request.body);
      await store.putSettings(TENANT_DEFAULT_SCOPE, settings, clock.now());
      return settings;
    });
    scope.get(ROOT, guarded, () => read(TENANT_DEFAULT_SCOPE));
    scope.delete(ROOT, guarded, (_request, reply) => remove(TENANT_DEFAULT_SCOPE, reply));
    scope.put<{ Params: { profileId: string } }>(`${ROOT}/profiles/:profileId`, writable, async (request) => {
      const settings = parseEspSettings(request.body);
      await store.putSettings(await profile(request.params.profileId), settings, clock.now());
      return settings;
    });
    scope.get<{ Params: { profileId: string } }>(`${ROOT}/profiles/:profileId`, guarded, async (request) => read(await profile(request.params.profileId)));
    scope.delete<{ Params: { profileId: string } }>(`${ROOT}/profiles/:profileId`, guarded, async (request, reply) => remove(await profile(request.params.profileId), reply));
    scope.get<{ Params: { id: string } }>(`${ROOT}/devices/:id`, guarded, async (request) => {
      const { id } = request.params;
      const enrollment = (await options.registry.findByDeviceId(id)) ?? (await options.registry.findByEnrollmentId(id));
      if (enrollment === undefined) throw new ProtocolError("MDM_DEVICE_NOT_ENROLLED", id.slice(0, 64));
      const tracking = await store.tracking(enrollment.deviceId);
      if (tracking === undefined) throw new ProtocolError("ESP_SETTINGS_NOT_FOUND", "the device has not started its Enrollment Status Page");
      return tracking;
    });
    registered();
  });
}
