/**
 * The deployment profile of an enrolled device: its directory device id leads to its join record, whose Autopilot
 * (ZTD) id leads to the registered device, whose groups decide its profile (profiles.ts precedence).
 */
import type { Kysely } from "kysely";
import type { Directory } from "../../directory/directory.js";
import type { JoinedDevicesDatabase } from "../../directory/joined-devices.js";
import { resolveDeviceProfile } from "../../profiles/profiles.js";
import type { DeploymentStore } from "../../store/deployment-store.js";
import type { EnrollmentRecord } from "../enrollment/index.js";

/** A resolver of the enrolled device's profile id over the deployment store (whose schema holds joined_devices). */
export function enrollmentProfileResolver(directory: Directory, store: DeploymentStore): (enrollment: EnrollmentRecord) => Promise<string | undefined> {
  const db = store.db as unknown as Kysely<JoinedDevicesDatabase>;
  return async (enrollment) => {
    if (enrollment.directoryDeviceId === undefined) return undefined;
    const joined = await db.selectFrom("joined_devices").select("ztd_id").where("device_id", "=", enrollment.directoryDeviceId).executeTakeFirst();
    const device = joined === undefined ? undefined : await store.findDevice(joined.ztd_id);
    return device === undefined ? undefined : (await resolveDeviceProfile(directory, device))?.profile.id;
  };
}
