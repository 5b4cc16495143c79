/**
 * The directory as the join service sees it: users by password, Autopilot registrations by serial number or ZTDID,
 * and joined devices (the Entra device objects a join creates) in their own table.
 */
import type { Kysely, Migration } from "kysely";
import type { DatabaseKind } from "../../lib/index.js";
import { decodeHardwareHash } from "../../protocol/index.js";
import type { JoinDirectory, JoinRecord, RegisteredJoinDevice } from "../join/join-directory.js";
import type { DeploymentStore, DeviceRecord, TenantRecord } from "../store/deployment-store.js";
import type { Directory } from "./directory.js";

/** The joined-devices table as Kysely sees it. */
export interface JoinedDevicesTable {
  device_id: string;
  ztd_id: string;
  serial_number: string;
  mode: string;
  join_type: string;
  user_principal_name: string | null;
  certificate_thumbprint: string;
  machine_name: string | null;
  joined_at: number;
}

export interface JoinedDevicesDatabase {
  joined_devices: JoinedDevicesTable;
}

const createJoinedDevices: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("joined_devices")
      .addColumn("device_id", "text", (column) => column.primaryKey())
      .addColumn("ztd_id", "text", (column) => column.notNull())
      .addColumn("serial_number", "text", (column) => column.notNull())
      .addColumn("mode", "text", (column) => column.notNull())
      .addColumn("join_type", "text", (column) => column.notNull())
      .addColumn("user_principal_name", "text")
      .addColumn("certificate_thumbprint", "text", (column) => column.notNull())
      .addColumn("machine_name", "text")
      .addColumn("joined_at", "bigint", (column) => column.notNull())
      .execute();
    await db.schema.createIndex("joined_devices_ztd").on("joined_devices").column("ztd_id").execute();
  },
};

/** The joined-devices migrations by name, for the deployment store's list (they sort after 0001_directory). */
export function joinedDeviceMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0002_joined_devices": createJoinedDevices };
}

/** Hex SHA-256 of the EK public key the registered hardware hash carries, when it carries one. */
function ekPublicKeyHashOf(device: DeviceRecord): string | undefined {
  try {
    return decodeHardwareHash(device.hardwareHash).fields.ekPubHash;
  } catch {
    return undefined;
  }
}

/** The join service's directory over this tenant's store (whose migrations include {@link joinedDeviceMigrations}). */
export function joinDirectoryOf(directory: Directory, store: DeploymentStore, tenant: TenantRecord): JoinDirectory {
  // the store's database holds joined_devices: its migrations ran with the directory's
  const db = store.db as unknown as Kysely<JoinedDevicesDatabase>;
  return {
    async verifyUser(userPrincipalName, password) {
      const user = await directory.authenticateUser(userPrincipalName, password);
      return user === undefined || user.tenantId !== tenant.id ? undefined : { userPrincipalName: user.upn };
    },
    async findRegisteredDevice(serialOrZtdId): Promise<RegisteredJoinDevice | undefined> {
      const device = (await store.findDeviceBySerial(tenant.id, serialOrZtdId)) ?? (await store.findDevice(serialOrZtdId));
      if (device === undefined || device.tenantId !== tenant.id) return undefined;
      const ekPublicKeyHash = ekPublicKeyHashOf(device);
      return { ztdId: device.id, serialNumber: device.serialNumber, ...(ekPublicKeyHash === undefined ? {} : { ekPublicKeyHash }) };
    },
    async recordJoin(record: JoinRecord) {
      await db
        .insertInto("joined_devices")
        .values({
          device_id: record.deviceId,
          ztd_id: record.ztdId,
          serial_number: record.serialNumber,
          mode: record.mode,
          join_type: record.joinType,
          user_principal_name: record.userPrincipalName ?? null,
          certificate_thumbprint: record.certificateThumbprint,
          machine_name: record.machineName ?? null,
          joined_at: record.joinedAt,
        })
        .execute();
    },
  };
}
