/**
 * Deployment profiles: creation, assignment to groups, the profile a device gets, and the offline file.
 *
 * Assignment precedence, as Autopilot applies it (memdocs autopilot/profiles.md, conflicting assignments): a
 * device gets a profile only through a group it is a member of; when several assigned profiles reach it, the
 * profile created first wins (ties, which the clock makes rare, go to the smaller profile id). A device in no
 * assigned group gets no profile, and neither does an unregistered one.
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../../lib/index.js";
import {
  ProtocolError,
  formatAutopilotConfigurationFile,
  type AutopilotConfigurationFile,
  type AutopilotProfileRequest,
} from "../../protocol/index.js";
import { hardwareHashDigest, type Directory } from "../directory/directory.js";
import type { DeviceRecord, GroupRecord, ProfileRecord, TenantRecord } from "../store/deployment-store.js";
import { autopilotConfigurationFile } from "./configuration-file.js";
import { parseProfileSettings, type ProfileSettings } from "./profile-settings.js";

/** The dynamic group of every Autopilot device (memdocs autopilot/enrollment-autopilot.md). */
export const ALL_AUTOPILOT_DEVICES = Object.freeze({
  name: "All Autopilot devices",
  rule: `(device.devicePhysicalIDs -any (_ -contains "[ZTDID]"))`,
});

/** Name and rule of the dynamic group of one group tag (`[OrderID]:<tag>`). */
export function groupTagGroup(tag: string): { name: string; rule: string } {
  // A backtick escapes a double quote inside a rule string.
  return { name: `Autopilot group tag ${tag}`, rule: `(device.devicePhysicalIds -any (_ -eq "[OrderID]:${tag.replaceAll('"', '`"')}"))` };
}

/** Where a new profile is assigned: a group tag's group, given groups, or every Autopilot device (the default). */
export interface AssignmentTarget {
  readonly groupTag?: string;
  readonly groupIds?: readonly string[];
  readonly allDevices?: boolean;
}

/** A profile with its parsed settings and the groups it is assigned to. */
export interface ProfileView {
  readonly profile: ProfileRecord;
  readonly settings: ProfileSettings;
  readonly groupIds: readonly string[];
}

const MAX_PROFILE_NAME = 128;

function settingsOf(profile: ProfileRecord): ProfileSettings {
  return parseProfileSettings(JSON.parse(profile.settings));
}

async function targetGroups(directory: Directory, tenant: TenantRecord, target: AssignmentTarget): Promise<GroupRecord[]> {
  const groups: GroupRecord[] = [];
  if (target.groupTag !== undefined && target.groupTag !== "") {
    const { name, rule } = groupTagGroup(target.groupTag);
    groups.push(await directory.ensureDynamicGroup(tenant, name, rule));
  }
  for (const id of target.groupIds ?? []) {
    const group = await directory.store.findGroup(id);
    if (group === undefined || group.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", `no group ${id.slice(0, 64)}`);
    groups.push(group);
  }
  if (target.allDevices === true || groups.length === 0) {
    groups.push(await directory.ensureDynamicGroup(tenant, ALL_AUTOPILOT_DEVICES.name, ALL_AUTOPILOT_DEVICES.rule));
  }
  return groups;
}

/**
 * Creates a profile and assigns it.
 * @throws ProtocolError PROFILE_INVALID, PROFILE_EXISTS, NOT_FOUND (a group id).
 */
export async function createProfile(
  directory: Directory,
  tenant: TenantRecord,
  input: { name: string; settings: unknown; assignTo?: AssignmentTarget },
  clock: Clock,
): Promise<ProfileView> {
  const name = input.name.trim();
  if (name === "" || name.length > MAX_PROFILE_NAME || /[^\x20-\x7e]/.test(name)) {
    throw new ProtocolError("PROFILE_INVALID", `a profile name is 1 to ${MAX_PROFILE_NAME} printable ASCII characters`);
  }
  const settings = parseProfileSettings(input.settings);
  if ((await directory.store.findProfileByName(tenant.id, name)) !== undefined) throw new ProtocolError("PROFILE_EXISTS", name);
  const groups = await targetGroups(directory, tenant, input.assignTo ?? {});
  const profile: ProfileRecord = { id: randomUUID(), tenantId: tenant.id, name, settings: JSON.stringify(settings), createdAt: clock.now() };
  await directory.store.transaction(async (store) => {
    if ((await store.findProfileByName(tenant.id, name)) !== undefined) throw new ProtocolError("PROFILE_EXISTS", name);
    await store.insertProfile(profile);
    for (const group of groups) await store.assignProfile({ profileId: profile.id, groupId: group.id, assignedAt: clock.now() });
  });
  return { profile, settings, groupIds: groups.map((group) => group.id) };
}

/** The tenant's profiles, oldest first, with their assignments. */
export function listProfiles(directory: Directory, tenant: TenantRecord): Promise<ProfileView[]> {
  return profilesOfTenant(directory, tenant.id);
}

async function profilesOfTenant(directory: Directory, tenantId: string): Promise<ProfileView[]> {
  const [profiles, assignments] = await Promise.all([directory.store.listProfiles(tenantId), directory.store.listAssignments(tenantId)]);
  return profiles.map((profile) => ({
    profile,
    settings: settingsOf(profile),
    groupIds: assignments.filter((a) => a.profileId === profile.id).map((a) => a.groupId),
  }));
}

/** The profile a registered device gets under the precedence rule above, or undefined. */
export async function resolveDeviceProfile(directory: Directory, device: DeviceRecord): Promise<ProfileView | undefined> {
  const groups = new Set(await directory.store.groupsOfDevice(device.id));
  const views = await profilesOfTenant(directory, device.tenantId);
  const candidates = views.filter((view) => view.groupIds.some((id) => groups.has(id)));
  candidates.sort((a, b) => a.profile.createdAt - b.profile.createdAt || (a.profile.id < b.profile.id ? -1 : 1));
  return candidates[0];
}

/**
 * What the service answers a device that posts its hardware hash: its profile file.
 * @throws ProtocolError DEVICE_NOT_REGISTERED when no tenant registered the hash; DEVICE_PROFILE_NOT_ASSIGNED
 * when no profile reaches it.
 */
export async function deviceProfile(directory: Directory, request: AutopilotProfileRequest): Promise<AutopilotConfigurationFile> {
  const [device] = await directory.store.findDevicesByHashDigest(hardwareHashDigest(request.hardwareHash));
  if (device === undefined) throw new ProtocolError("DEVICE_NOT_REGISTERED");
  const view = await resolveDeviceProfile(directory, device);
  if (view === undefined) throw new ProtocolError("DEVICE_PROFILE_NOT_ASSIGNED");
  const tenant = await directory.store.findTenant(device.tenantId);
  if (tenant === undefined) throw new ProtocolError("DEVICE_NOT_REGISTERED");
  return autopilotConfigurationFile(tenant, view.profile, view.settings, device);
}

/**
 * The offline AutopilotConfigurationFile.json of a profile (ASCII JSON, for `%WINDIR%\Provisioning\Autopilot\`).
 * @throws ProtocolError NOT_FOUND for a profile not of the tenant.
 */
export async function exportOfflineProfile(directory: Directory, tenant: TenantRecord, profileId: string): Promise<string> {
  const profile = await directory.store.findProfile(profileId);
  if (profile === undefined || profile.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", "no such profile");
  return formatAutopilotConfigurationFile(autopilotConfigurationFile(tenant, profile, settingsOf(profile)));
}

/** Removes a profile and its assignments. */
export async function deleteProfile(directory: Directory, tenant: TenantRecord, profileId: string): Promise<void> {
  const profile = await directory.store.findProfile(profileId);
  if (profile === undefined || profile.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", "no such profile");
  await directory.store.deleteProfile(profileId);
}

/**
 * Assigns a profile to one more group (idempotent).
 * @throws ProtocolError NOT_FOUND for a profile or group not of the tenant.
 */
export async function assignProfile(directory: Directory, tenant: TenantRecord, profileId: string, groupId: string, clock: Clock): Promise<void> {
  const [profile, group] = await Promise.all([directory.store.findProfile(profileId), directory.store.findGroup(groupId)]);
  if (profile === undefined || profile.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", "no such profile");
  if (group === undefined || group.tenantId !== tenant.id) throw new ProtocolError("NOT_FOUND", "no such group");
  await directory.store.assignProfile({ profileId, groupId, assignedAt: clock.now() });
}
