/** Removing a device from Autopilot: its registration, physical ids and group memberships go. */
import { ProtocolError } from "../../protocol/index.js";
import type { Directory } from "../directory/directory.js";
import type { TenantRecord } from "../store/deployment-store.js";

/**
 * Deregisters a device (the administrator's "Delete" in the Autopilot devices list).
 * @throws ProtocolError NOT_FOUND when it is not registered in the tenant.
 */
export async function deregisterDevice(directory: Directory, tenant: TenantRecord, deviceId: string): Promise<void> {
  if (!(await directory.removeDevice(tenant, deviceId))) throw new ProtocolError("NOT_FOUND", "no such device");
}
