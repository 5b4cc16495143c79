/** A client of the deployment service's admin API (what `apsim admin …` calls). */
import { callAdminApi, type AdminApiBody, type AdminApiOptions } from "../protocol/index.js";
import { DEPLOYMENT_ADMIN_PREFIX, type DeviceDocument, type RegistrationDocument } from "./admin-routes.js";

/** Where the admin API runs and how to reach it. */
export type DeploymentAdminClientOptions = AdminApiOptions;

/** A profile as the admin API answers it. */
export interface ProfileDocument {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  readonly settings: Record<string, unknown>;
  readonly groupIds: readonly string[];
}

/** Device lists of a few thousand devices fit. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

function call<T>(
  options: DeploymentAdminClientOptions,
  method: "GET" | "PUT" | "DELETE" | "POST" | "PATCH",
  path: string,
  body?: AdminApiBody,
  raw = false,
): Promise<T> {
  return callAdminApi<T>(options, method, `${DEPLOYMENT_ADMIN_PREFIX.slice(1)}/${path}`, {
    maxAnswerBytes: MAX_ANSWER_BYTES,
    raw,
    ...(body === undefined ? {} : { body }),
  });
}

const json = (value: unknown) => ({ type: "application/json", data: JSON.stringify(value) });

/** Imports an Autopilot CSV (bytes as read from the file). */
export function importCsvAt(options: DeploymentAdminClientOptions, csv: Uint8Array): Promise<RegistrationDocument> {
  return call(options, "POST", "devices/import-csv", { type: "text/csv", data: csv });
}

/** The tenant's registered devices. */
export async function listDevicesAt(options: DeploymentAdminClientOptions): Promise<DeviceDocument[]> {
  return (await call<{ devices: DeviceDocument[] }>(options, "GET", "devices")).devices;
}

/** Creates a deployment profile (settings as the admin API takes them) assigned to `assignTo` (default every Autopilot device). */
export function createProfileAt(
  options: DeploymentAdminClientOptions,
  input: { name: string; settings: Record<string, unknown>; assignTo?: { groupTag?: string; groupIds?: string[]; allDevices?: boolean } },
): Promise<ProfileDocument> {
  return call(options, "POST", "profiles", json(input));
}

/** The tenant's profiles, oldest first. */
export async function listProfilesAt(options: DeploymentAdminClientOptions): Promise<ProfileDocument[]> {
  return (await call<{ profiles: ProfileDocument[] }>(options, "GET", "profiles")).profiles;
}

/** The offline AutopilotConfigurationFile.json of a profile, byte for byte as the service wrote it (ASCII). */
export function exportProfileAt(options: DeploymentAdminClientOptions, profileId: string): Promise<string> {
  return call<string>(options, "GET", `profiles/${encodeURIComponent(profileId)}/offline-file`, undefined, true);
}

/** Creates a directory user. */
export function createUserAt(
  options: DeploymentAdminClientOptions,
  input: { upn: string; password: string; displayName?: string },
): Promise<{ id: string; upn: string; displayName: string }> {
  return call(options, "POST", "users", json(input));
}

/** Grants a partner consent to register the tenant's devices. */
export function grantConsentAt(options: DeploymentAdminClientOptions, partnerId: string): Promise<{ partnerId: string; grantedAt: string }> {
  return call(options, "PUT", `consents/${encodeURIComponent(partnerId)}`);
}

/** Withdraws a partner's consent. */
export async function revokeConsentAt(options: DeploymentAdminClientOptions, partnerId: string): Promise<void> {
  await call(options, "DELETE", `consents/${encodeURIComponent(partnerId)}`);
}

/** The tenant the service serves. */
export function tenantAt(options: DeploymentAdminClientOptions): Promise<{ id: string; domain: string }> {
  return call(options, "GET", "tenant");
}

/** An MDM command as the admin API answers it (its statuses and results once the device answered). */
export type MdmCommandDocument = Record<string, unknown> & { readonly commandId: string; readonly state: string; readonly status: number | null };

/** Queues an OMA-DM command (command-spec JSON) for a device, by its MDM DeviceID or enrollment id. */
export function queueMdmCommandAt(options: DeploymentAdminClientOptions, device: string, command: unknown): Promise<MdmCommandDocument> {
  return call(options, "POST", `devices/${encodeURIComponent(device)}/commands`, json(command));
}

/** A device's MDM commands in queue order. */
export async function listMdmCommandsAt(options: DeploymentAdminClientOptions, device: string): Promise<MdmCommandDocument[]> {
  return (await call<{ commands: MdmCommandDocument[] }>(options, "GET", `devices/${encodeURIComponent(device)}/commands`)).commands;
}
