/**
 * The managed device behind an enrollment, as the resolver needs it: the Entra device object its join created
 * (the enrollment's directory device id) leads to the Autopilot registration (ZTD id), whose directory groups
 * and join mode (pre-provisioning or not) decide what it gets. A device that enrolled without a join is in no group.
 */
import type { Kysely } from "kysely";
import type { JoinedDevicesDatabase } from "../../directory/joined-devices.js";
import type { EnrollmentRecord } from "../enrollment/index.js";
import type { ManagedDevice } from "./resolve-payloads.js";

/** Where a registered device's groups are looked up. */
export interface DeviceGroups {
  groupsOfDevice(registeredDeviceId: string): Promise<string[]>;
}

/** Reads the managed device of an enrollment. */
export type ManagedDeviceOf = (enrollment: EnrollmentRecord) => Promise<ManagedDevice>;

/** The {@link ManagedDeviceOf} over the deployment store (whose database holds the joined devices). */
export function managedDeviceReader(db: Kysely<JoinedDevicesDatabase>, groups: DeviceGroups): ManagedDeviceOf {
  return async (enrollment) => {
    const user = enrollment.userPrincipalName === undefined ? {} : { userPrincipalName: enrollment.userPrincipalName };
    if (enrollment.directoryDeviceId === undefined) return { groupIds: [], preProvisioning: false, ...user };
    const joined = await db
      .selectFrom("joined_devices")
      .select(["ztd_id", "mode"])
      .where("device_id", "=", enrollment.directoryDeviceId)
      .executeTakeFirst();
    if (joined === undefined) return { groupIds: [], preProvisioning: false, ...user };
    return { groupIds: await groups.groupsOfDevice(joined.ztd_id), preProvisioning: joined.mode === "pre-provisioning", ...user };
  };
}
