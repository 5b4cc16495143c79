/**
 * Registration by OEMs and resellers (the Partner Center / CSP path): a partner may register devices for a
 * tenant, and deregister the devices it registered, only while the tenant has granted it consent (memdocs
 * autopilot/add-devices.md, "OEM registration"; customer consent in Partner Center).
 */
import { ProtocolError, type AutopilotCsvError } from "../../protocol/index.js";
import type { Clock } from "../../lib/index.js";
import type { Directory } from "../directory/directory.js";
import type { PartnerConsentRecord, TenantRecord } from "../store/deployment-store.js";
import type { RegistrationResult } from "./csv-import.js";
import { hashIdentity } from "./hash-identity.js";

/** A partner registers at most this many devices per request (as many as one CSV file holds). */
export const MAX_PARTNER_DEVICES = 500;
const PARTNER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** One device a partner registers. */
export interface PartnerDevice {
  readonly serialNumber: string;
  readonly productId?: string;
  readonly hardwareHash: string;
  readonly groupTag?: string;
  readonly purchaseOrderId?: string;
}

/** Checks a partner id's form; returns it. */
export function checkPartnerId(partnerId: string): string {
  if (!PARTNER_ID.test(partnerId)) throw new ProtocolError("MALFORMED_REQUEST", "a partner id is 1 to 64 letters, digits, '.', '_' or '-'");
  return partnerId;
}

/** The tenant grants `partnerId` consent to register its devices (idempotent). */
export async function grantPartnerConsent(directory: Directory, tenant: TenantRecord, partnerId: string, clock: Clock): Promise<PartnerConsentRecord> {
  checkPartnerId(partnerId);
  await directory.store.grantConsent({ tenantId: tenant.id, partnerId, grantedAt: clock.now() });
  return (await directory.store.findConsent(tenant.id, partnerId))!;
}

/** Withdraws consent; devices already registered stay. False when there was none. */
export async function revokePartnerConsent(directory: Directory, tenant: TenantRecord, partnerId: string): Promise<boolean> {
  return directory.store.revokeConsent(tenant.id, checkPartnerId(partnerId));
}

async function requireConsent(directory: Directory, tenant: TenantRecord, partnerId: string): Promise<void> {
  if ((await directory.store.findConsent(tenant.id, checkPartnerId(partnerId))) === undefined) {
    throw new ProtocolError("PARTNER_CONSENT_REQUIRED", partnerId);
  }
}

/**
 * Registers a partner's devices; each device succeeds or fails on its own (errors name its 1-based index as `row`).
 * @throws ProtocolError PARTNER_CONSENT_REQUIRED without consent; MALFORMED_REQUEST beyond {@link MAX_PARTNER_DEVICES}.
 */
export async function registerPartnerDevices(
  directory: Directory,
  tenant: TenantRecord,
  partnerId: string,
  devices: readonly PartnerDevice[],
): Promise<RegistrationResult> {
  await requireConsent(directory, tenant, partnerId);
  if (devices.length === 0 || devices.length > MAX_PARTNER_DEVICES) {
    throw new ProtocolError("MALFORMED_REQUEST", `1 to ${MAX_PARTNER_DEVICES} devices per request`);
  }
  const imported = [];
  const errors: AutopilotCsvError[] = [];
  for (const [index, device] of devices.entries()) {
    try {
      imported.push(
        await directory.registerDevice(tenant, { ...device, ...hashIdentity(device.hardwareHash), registeredBy: `partner:${partnerId}` }),
      );
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      errors.push({ row: index + 1, code: error.code, message: error.message });
    }
  }
  return { imported, errors };
}

/**
 * Deregisters a device the partner registered.
 * @throws ProtocolError PARTNER_CONSENT_REQUIRED without consent; NOT_FOUND for a device it did not register.
 */
export async function deregisterPartnerDevice(directory: Directory, tenant: TenantRecord, partnerId: string, deviceId: string): Promise<void> {
  await requireConsent(directory, tenant, partnerId);
  const device = await directory.store.findDevice(deviceId);
  if (device === undefined || device.tenantId !== tenant.id || device.registeredBy !== `partner:${partnerId}`) {
    throw new ProtocolError("NOT_FOUND", "no such device registered by this partner");
  }
  await directory.removeDevice(tenant, deviceId);
}
