/**
 * What a fleet sets up on the deployment service before its devices boot: the profiles its modes need (each
 * targeting the fleet's group tag of that mode) and the users of user-driven devices. Idempotent, so a rerun against
 * the same services (`--server`, `--db`) reuses what is there.
 */
import { createHash } from "node:crypto";
import { createProfileAt, createUserAt, listProfilesAt, tenantAt, type DeploymentAdminClientOptions } from "../deployment-service/index.js";
import { ProtocolError } from "../protocol/index.js";

/** The deployment modes a fleet device can run. */
export type DeviceDeploymentMode = "self-deploying" | "pre-provisioning" | "user-driven";

/** The group tag each mode's devices are registered with (pre-provisioning uses the user-driven profile). */
export const FLEET_GROUP_TAGS: Readonly<Record<DeviceDeploymentMode, string>> = {
  "self-deploying": "APSIM-FLEET-SD",
  "user-driven": "APSIM-FLEET-UD",
  "pre-provisioning": "APSIM-FLEET-UD",
};

const PROFILES = [
  { name: "apsim fleet: self-deploying", settings: { mode: "self-deploying", deviceNameTemplate: "SD-%RAND:8%" }, groupTag: FLEET_GROUP_TAGS["self-deploying"] },
  {
    name: "apsim fleet: user-driven",
    settings: { mode: "user-driven", allowPreProvisioning: true, deviceNameTemplate: "UD-%RAND:8%" },
    groupTag: FLEET_GROUP_TAGS["user-driven"],
  },
] as const;

/** Users the fleet's user-driven devices sign in with (round-robin). */
export const FLEET_USERS = 8;

/** A fleet user's sign-in. */
export interface FleetUser {
  readonly upn: string;
  readonly password: string;
}

/** The users of a fleet: names and passwords derived from the fleet seed, so reruns sign in as the same users. */
export function fleetUsers(seed: string, domain: string): FleetUser[] {
  return Array.from({ length: FLEET_USERS }, (_, i) => ({
    upn: `fleet.user${i + 1}@${domain}`,
    password: `Fleet-${createHash("sha256").update(`fleet user ${i}:${seed}`).digest("base64url").slice(0, 20)}`,
  }));
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof ProtocolError && error.code === code;
}

/** Creates the profiles and users a run of `modes` needs; returns the users. */
export async function prepareDeployment(admin: DeploymentAdminClientOptions, seed: string, modes: readonly DeviceDeploymentMode[]): Promise<FleetUser[]> {
  const existing = new Set((await listProfilesAt(admin)).map((profile) => profile.name));
  const wanted = new Set(modes.map((mode) => FLEET_GROUP_TAGS[mode]));
  for (const profile of PROFILES) {
    if (!wanted.has(profile.groupTag) || existing.has(profile.name)) continue;
    try {
      await createProfileAt(admin, { name: profile.name, settings: { ...profile.settings }, assignTo: { groupTag: profile.groupTag } });
    } catch (error) {
      // another shard made it meanwhile
      if (!isCode(error, "PROFILE_EXISTS")) throw error;
    }
  }
  const { domain } = await tenantAt(admin);
  const users = fleetUsers(seed, domain);
  if (modes.includes("user-driven") || modes.includes("pre-provisioning")) {
    for (const user of users) {
      try {
        await createUserAt(admin, user);
      } catch (error) {
        if (!isCode(error, "USER_EXISTS")) throw error;
      }
    }
  }
  return users;
}
