/**
 * Which catalogued payloads a managed device gets: those assigned to all devices or to one of its groups, and,
 * with a user signed in, those assigned to all users. A user-context payload needs a user: a device enrolled with
 * none (self-deploying, the pre-provisioning technician flow) gets it once a user enrolls. Windows Autopilot does not
 * support mixing Win32 and line-of-business (MSI) apps on a pre-provisioned device (the Intune management extension
 * and the MSI installer race for the Windows Installer during the technician flow), so that is refused.
 */
import { ProtocolError } from "../../../protocol/index.js";
import type { PayloadRecord } from "./payload-store.js";

/** What the resolver knows of a managed device. */
export interface ManagedDevice {
  /** The directory groups the device is a member of. */
  readonly groupIds: readonly string[];
  /** The user the device enrolled for, if any. */
  readonly userPrincipalName?: string | undefined;
  /** The device is deployed in pre-provisioning mode. */
  readonly preProvisioning: boolean;
}

function isAssigned(payload: PayloadRecord, device: ManagedDevice, groups: ReadonlySet<string>): boolean {
  const { assignments, context } = payload.spec;
  const hasUser = device.userPrincipalName !== undefined;
  if (context === "user" && !hasUser) return false;
  return assignments.allDevices || (assignments.allUsers && hasUser) || assignments.groups.some((group) => groups.has(group));
}

/**
 * The payloads of `catalogue` the device gets, in catalogue order.
 * @throws ProtocolError PAYLOAD_MIXED_APP_TYPES when a pre-provisioned device would get both Win32 and MSI apps.
 */
export function payloadsFor(catalogue: readonly PayloadRecord[], device: ManagedDevice): PayloadRecord[] {
  const groups = new Set(device.groupIds);
  const assigned = catalogue.filter((payload) => isAssigned(payload, device, groups));
  if (device.preProvisioning) {
    const win32 = assigned.find((payload) => payload.spec.kind === "win32");
    const msi = assigned.find((payload) => payload.spec.kind === "msi");
    if (win32 !== undefined && msi !== undefined) {
      throw new ProtocolError("PAYLOAD_MIXED_APP_TYPES", `Win32 app "${win32.spec.name}" and MSI app "${msi.spec.name}"`);
    }
  }
  return assigned;
}
