/**
 * The deployment service's admin API (JSON), every route behind `Authorization: Bearer <admin token>` (401
 * UNAUTHORIZED otherwise), under `/deployment/v1/admin`:
 * - `GET /tenant`
 * - `GET /devices`; `POST /devices/import-csv` (the CSV as `text/csv` or `application/octet-stream`, bytes kept as
 *   sent so ANSI is checked); `PATCH /devices/:id` `{groupTag?, purchaseOrderId?, assignedUser?}`; `DELETE /devices/:id`
 * - `GET|POST /users` `{upn, password, displayName?}`
 * - `GET|POST /groups` `{name, rule?}`; `POST /groups/:id/members` `{deviceId}`
 * - `GET|POST /profiles` `{name, settings, assignTo?}`; `DELETE /profiles/:id`; `POST /profiles/:id/assignments`
 *   `{groupId}`; `GET /profiles/:id/offline-file` (AutopilotConfigurationFile.json)
 * - `GET /consents`; `PUT|DELETE /consents/:partnerId`
 * and the partners' registration API, also behind the admin token, under `/deployment/v1/partners/:partnerId`:
 * `POST /devices` `{devices: [...]}`, `DELETE /devices/:id`, refused without the tenant's consent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { bearerTokenMatches, type Clock } from "../lib/index.js";
import { ProtocolError, type AutopilotCsvError } from "../protocol/index.js";
import { devicePhysicalIds, type Directory } from "./directory/directory.js";
import { assignProfile, createProfile, deleteProfile, exportOfflineProfile, listProfiles, type AssignmentTarget, type ProfileView } from "./profiles/profiles.js";
import { importAutopilotCsv, type RegistrationResult } from "./registration/csv-import.js";
import { deregisterDevice } from "./registration/deregistration.js";
import {
  MAX_PARTNER_DEVICES,
  deregisterPartnerDevice,
  grantPartnerConsent,
  registerPartnerDevices,
  revokePartnerConsent,
  type PartnerDevice,
} from "./registration/partner-registration.js";
import type { DeviceRecord, GroupRecord, TenantRecord } from "./store/deployment-store.js";

/** What the admin routes act on. */
export interface DeploymentAdminContext {
  readonly adminToken: string;
  readonly directory: Directory;
  readonly tenant: TenantRecord;
  readonly clock: Clock;
}

/** Prefix of the admin API. */
export const DEPLOYMENT_ADMIN_PREFIX = "/deployment/v1/admin";
/** Prefix of the partner registration API. */
export const DEPLOYMENT_PARTNER_PREFIX = "/deployment/v1/partners";

/** A CSV of 500 rows with ~4 KiB hashes, with room to spare. */
const MAX_CSV_BYTES = 4 * 1024 * 1024;
const MAX_JSON_BYTES = 64 * 1024;
const MAX_PARTNER_BYTES = MAX_PARTNER_DEVICES * 8 * 1024;

/** A device as the admin API shows it. */
export interface DeviceDocument {
  readonly id: string;
  readonly serialNumber: string;
  readonly productId: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly groupTag: string;
  readonly purchaseOrderId: string;
  readonly assignedUser: string;
  readonly devicePhysicalIds: readonly string[];
  readonly registeredBy: string;
  readonly registeredAt: string;
}

/** What an import or a partner registration answers. */
export interface RegistrationDocument {
  readonly imported: readonly DeviceDocument[];
  readonly errors: readonly AutopilotCsvError[];
}

export function deviceDocument(device: DeviceRecord): DeviceDocument {
  return {
    id: device.id,
    serialNumber: device.serialNumber,
    productId: device.productId,
    manufacturer: device.manufacturer,
    model: device.model,
    groupTag: device.groupTag,
    purchaseOrderId: device.purchaseOrderId,
    assignedUser: device.assignedUser,
    devicePhysicalIds: devicePhysicalIds(device),
    registeredBy: device.registeredBy,
    registeredAt: new Date(device.registeredAt).toISOString(),
  };
}

function registrationDocument(result: RegistrationResult): RegistrationDocument {
  return { imported: result.imported.map(deviceDocument), errors: result.errors };
}

function groupDocument(group: GroupRecord, members: readonly string[]) {
  return { id: group.id, name: group.name, kind: group.kind, ...(group.rule === undefined ? {} : { rule: group.rule }), members };
}

function profileDocument(view: ProfileView) {
  return {
    id: view.profile.id,
    name: view.profile.name,
    createdAt: new Date(view.profile.createdAt).toISOString(),
    settings: view.settings,
    groupIds: view.groupIds,
  };
}

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body) || body instanceof Uint8Array) {
    throw new ProtocolError("MALFORMED_REQUEST", "expected a JSON object");
  }
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string") throw new ProtocolError("MALFORMED_REQUEST", `${name} must be a string`);
  return value;
}

function param(request: FastifyRequest, name: string): string {
  const value = (request.params as Record<string, string | undefined>)[name] ?? "";
  if (value.length === 0 || value.length > 128) throw new ProtocolError("NOT_FOUND", `bad ${name}`);
  return value;
}

function assignmentTarget(value: unknown): AssignmentTarget {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null) throw new ProtocolError("MALFORMED_REQUEST", "assignTo must be an object");
  const { groupTag, groupIds, allDevices } = value as Record<string, unknown>;
  if (groupTag !== undefined && typeof groupTag !== "string") throw new ProtocolError("MALFORMED_REQUEST", "assignTo.groupTag must be a string");
  if (groupIds !== undefined && (!Array.isArray(groupIds) || groupIds.length > 100 || !groupIds.every((id) => typeof id === "string"))) {
    throw new ProtocolError("MALFORMED_REQUEST", "assignTo.groupIds must be up to 100 group ids");
  }
  if (allDevices !== undefined && typeof allDevices !== "boolean") throw new ProtocolError("MALFORMED_REQUEST", "assignTo.allDevices must be true or false");
  return {
    ...(groupTag === undefined ? {} : { groupTag }),
    ...(groupIds === undefined ? {} : { groupIds }),
    ...(allDevices === undefined ? {} : { allDevices }),
  };
}

function partnerDevices(body: Record<string, unknown>): PartnerDevice[] {
  const devices = body["devices"];
  if (!Array.isArray(devices)) throw new ProtocolError("MALFORMED_REQUEST", 'expected {"devices": [...]}');
  return devices.map((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) throw new ProtocolError("MALFORMED_REQUEST", "each device is an object");
    const record = entry as Record<string, unknown>;
    const optional = (name: string) => {
      const value = stringField(record, name, false);
      return value === undefined ? {} : { [name]: value };
    };
    return {
      serialNumber: stringField(record, "serialNumber", true)!,
      hardwareHash: stringField(record, "hardwareHash", true)!,
      ...optional("productId"),
      ...optional("groupTag"),
      ...optional("purchaseOrderId"),
    };
  });
}

/** Mounts the admin and partner routes on `app` (in their own scope, which reads `text/csv` bodies as bytes). */
export async function registerDeploymentAdminRoutes(app: FastifyInstance, context: DeploymentAdminContext): Promise<void> {
  const { directory, tenant, clock } = context;
  const authorize = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (bearerTokenMatches(request.headers.authorization, context.adminToken)) return done();
    reply.header("www-authenticate", 'Bearer realm="apsim admin"');
    done(new ProtocolError("UNAUTHORIZED"));
  };
  const guarded = { onRequest: authorize, bodyLimit: MAX_JSON_BYTES };

  await app.register((scope, _options, registered) => {
    scope.addContentTypeParser("text/csv", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    const admin = DEPLOYMENT_ADMIN_PREFIX;

    scope.get(`${admin}/tenant`, guarded, (_request, reply) => reply.send({ id: tenant.id, domain: tenant.domain }));

    scope.get(`${admin}/devices`, guarded, async () => ({ devices: (await directory.store.listDevices(tenant.id)).map(deviceDocument) }));
    scope.post(`${admin}/devices/import-csv`, { ...guarded, bodyLimit: MAX_CSV_BYTES }, async (request) => {
      if (!(request.body instanceof Uint8Array)) throw new ProtocolError("UNSUPPORTED_MEDIA_TYPE", "send the CSV as text/csv");
      return registrationDocument(await importAutopilotCsv(directory, tenant, Buffer.from(request.body)));
    });
    scope.patch(`${admin}/devices/:id`, guarded, async (request) => {
      const body = objectBody(request);
      const update = Object.fromEntries(
        ["groupTag", "purchaseOrderId", "assignedUser"].flatMap((name) => {
          const value = stringField(body, name, false);
          return value === undefined ? [] : [[name, value]];
        }),
      );
      return deviceDocument(await directory.updateDevice(tenant, param(request, "id"), update));
    });
    scope.delete(`${admin}/devices/:id`, guarded, async (_request, reply) => {
      await deregisterDevice(directory, tenant, param(_request, "id"));
      return reply.code(204).send();
    });

    scope.get(`${admin}/users`, guarded, async () => ({
      users: (await directory.store.listUsers(tenant.id)).map((user) => ({ id: user.id, upn: user.upn, displayName: user.displayName })),
    }));
    scope.post(`${admin}/users`, guarded, async (request, reply) => {
      const body = objectBody(request);
      const displayName = stringField(body, "displayName", false);
      const user = await directory.createUser(tenant, {
        upn: stringField(body, "upn", true)!,
        password: stringField(body, "password", true)!,
        ...(displayName === undefined ? {} : { displayName }),
      });
      return reply.code(201).send({ id: user.id, upn: user.upn, displayName: user.displayName });
    });

    scope.get(`${admin}/groups`, guarded, async () => {
      const groups = await directory.store.listGroups(tenant.id);
      return { groups: await Promise.all(groups.map(async (group) => groupDocument(group, await directory.store.groupMembers(group.id)))) };
    });
    scope.post(`${admin}/groups`, guarded, async (request, reply) => {
      const body = objectBody(request);
      const group = await directory.createGroup(tenant, { name: stringField(body, "name", true)!, rule: stringField(body, "rule", false) });
      return reply.code(201).send(groupDocument(group, await directory.store.groupMembers(group.id)));
    });
    scope.post(`${admin}/groups/:id/members`, guarded, async (request, reply) => {
      await directory.addStaticMember(param(request, "id"), stringField(objectBody(request), "deviceId", true)!);
      return reply.code(204).send();
    });

    scope.get(`${admin}/profiles`, guarded, async () => ({ profiles: (await listProfiles(directory, tenant)).map(profileDocument) }));
    scope.post(`${admin}/profiles`, guarded, async (request, reply) => {
      const body = objectBody(request);
      const view = await createProfile(
        directory,
        tenant,
        { name: stringField(body, "name", true)!, settings: body["settings"], assignTo: assignmentTarget(body["assignTo"]) },
        clock,
      );
      return reply.code(201).send(profileDocument(view));
    });
    scope.delete(`${admin}/profiles/:id`, guarded, async (request, reply) => {
      await deleteProfile(directory, tenant, param(request, "id"));
      return reply.code(204).send();
    });
    scope.post(`${admin}/profiles/:id/assignments`, guarded, async (request, reply) => {
      await assignProfile(directory, tenant, param(request, "id"), stringField(objectBody(request), "groupId", true)!, clock);
      return reply.code(204).send();
    });
    scope.get(`${admin}/profiles/:id/offline-file`, guarded, async (request, reply) => {
      const text = await exportOfflineProfile(directory, tenant, param(request, "id"));
      return reply.type("application/json").header("content-disposition", 'attachment; filename="AutopilotConfigurationFile.json"').send(text);
    });

    scope.get(`${admin}/consents`, guarded, async () => ({
      consents: (await directory.store.listConsents(tenant.id)).map((c) => ({ partnerId: c.partnerId, grantedAt: new Date(c.grantedAt).toISOString() })),
    }));
    scope.put(`${admin}/consents/:partnerId`, guarded, async (request) => {
      const consent = await grantPartnerConsent(directory, tenant, param(request, "partnerId"), clock);
      return { partnerId: consent.partnerId, grantedAt: new Date(consent.grantedAt).toISOString() };
    });
    scope.delete(`${admin}/consents/:partnerId`, guarded, async (request, reply) => {
      if (!(await revokePartnerConsent(directory, tenant, param(request, "partnerId")))) throw new ProtocolError("NOT_FOUND", "no consent for this partner");
      return reply.code(204).send();
    });

    const partner = `${DEPLOYMENT_PARTNER_PREFIX}/:partnerId/devices`;
    scope.post(partner, { ...guarded, bodyLimit: MAX_PARTNER_BYTES }, async (request) => {
      const devices = partnerDevices(objectBody(request));
      return registrationDocument(await registerPartnerDevices(directory, tenant, param(request, "partnerId"), devices));
    });
    scope.delete(`${partner}/:id`, guarded, async (request, reply) => {
      await deregisterPartnerDevice(directory, tenant, param(request, "partnerId"), param(request, "id"));
      return reply.code(204).send();
    });
    registered();
  });
}
