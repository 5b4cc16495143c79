/**
 * The record of every MDM enrollment: which device (Windows' DeviceID), under which management id (the client
 * certificate's CN), with which certificate, for which user or none. Kysely over the deployment store's database;
 * its table comes with its own migration, which the store merges into its list.
 */
import type { Kysely, Migration } from "kysely";
import type { DatabaseKind } from "../../../lib/index.js";

/** How the device authenticated when it enrolled. */
export type EnrollmentAuthKind = "OnPremise" | "Federated" | "DeviceToken" | "Certificate";

/** One enrolled device. */
export interface EnrollmentRecord {
  /** The management server's id for the enrollment: the client certificate's CN. */
  readonly enrollmentId: string;
  /** The DeviceID Windows reports in the enrollment's AdditionalContext (32 hex digits). */
  readonly deviceId: string;
  /** The directory's device id, for joined devices that enrolled with their device token. */
  readonly directoryDeviceId: string | undefined;
  readonly userPrincipalName: string | undefined;
  /** The AdditionalContext EnrollmentType (`Full`, `Device`). */
  readonly enrollmentType: string;
  readonly authKind: EnrollmentAuthKind;
  /** Enrolled with no user (self-deploying or pre-provisioning): such a record blocks re-enrollment. */
  readonly selfDeploying: boolean;
  /** Lower-case hex serial of the client certificate. */
  readonly certificateSerial: string;
  /** Upper-case hex SHA-1 of the client certificate. */
  readonly certificateThumbprint: string;
  readonly enrolledAt: number;
}

/** Where enrollments are kept. */
export interface EnrollmentRegistry {
  /** Records an enrollment, replacing any earlier record of the same device, in one transaction. */
  record(enrollment: EnrollmentRecord): Promise<void>;
  findByDeviceId(deviceId: string): Promise<EnrollmentRecord | undefined>;
  findByEnrollmentId(enrollmentId: string): Promise<EnrollmentRecord | undefined>;
  /** Removes the device's record; false when there was none. */
  remove(deviceId: string): Promise<boolean>;
}

/** The enrollment table as Kysely sees it. */
export interface MdmEnrollmentsTable {
  enrollment_id: string;
  device_id: string;
  directory_device_id: string | null;
  user_principal_name: string | null;
  enrollment_type: string;
  auth_kind: string;
  self_deploying: number;
  certificate_serial: string;
  certificate_thumbprint: string;
  enrolled_at: number | string;
}

/** The tables of this part of the deployment store. */
export interface EnrollmentDatabase {
  mdm_enrollments: MdmEnrollmentsTable;
}

/** Creates the enrollment table (the same DDL on SQLite and PostgreSQL). */
export const enrollmentTablesMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("mdm_enrollments")
      .addColumn("enrollment_id", "text", (column) => column.primaryKey())
      .addColumn("device_id", "text", (column) => column.notNull().unique())
      .addColumn("directory_device_id", "text")
      .addColumn("user_principal_name", "text")
      .addColumn("enrollment_type", "text", (column) => column.notNull())
      .addColumn("auth_kind", "text", (column) => column.notNull())
      .addColumn("self_deploying", "integer", (column) => column.notNull())
      .addColumn("certificate_serial", "text", (column) => column.notNull())
      .addColumn("certificate_thumbprint", "text", (column) => column.notNull())
      .addColumn("enrolled_at", "bigint", (column) => column.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable("mdm_enrollments").execute();
  },
};

/** The enrollment migrations by name, for the deployment store's migration list (names sort after 0001_directory). */
export function enrollmentMigrations(_kind: DatabaseKind): Readonly<Record<string, Migration>> {
  return { "0001_mdm_enrollments": enrollmentTablesMigration };
}

/** Device ids compare without case (Windows writes upper-case hex; tokens may not). */
const normalizeDeviceId = (deviceId: string): string => deviceId.toUpperCase();

function recordFromRow(row: MdmEnrollmentsTable): EnrollmentRecord {
  return {
    enrollmentId: row.enrollment_id,
    deviceId: row.device_id,
    directoryDeviceId: row.directory_device_id ?? undefined,
    userPrincipalName: row.user_principal_name ?? undefined,
    enrollmentType: row.enrollment_type,
    authKind: row.auth_kind as EnrollmentAuthKind,
    selfDeploying: Number(row.self_deploying) === 1,
    certificateSerial: row.certificate_serial,
    certificateThumbprint: row.certificate_thumbprint,
    enrolledAt: Number(row.enrolled_at),
  };
}

class KyselyEnrollmentRegistry implements EnrollmentRegistry {
  constructor(private readonly db: Kysely<EnrollmentDatabase>) {}

  async record(enrollment: EnrollmentRecord): Promise<void> {
    const deviceId = normalizeDeviceId(enrollment.deviceId);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom("mdm_enrollments").where("device_id", "=", deviceId).execute();
      await trx
        .insertInto("mdm_enrollments")
        .values({
          enrollment_id: enrollment.enrollmentId,
          device_id: deviceId,
          directory_device_id: enrollment.directoryDeviceId ?? null,
          user_principal_name: enrollment.userPrincipalName ?? null,
          enrollment_type: enrollment.enrollmentType,
          auth_kind: enrollment.authKind,
          self_deploying: enrollment.selfDeploying ? 1 : 0,
          certificate_serial: enrollment.certificateSerial,
          certificate_thumbprint: enrollment.certificateThumbprint,
          enrolled_at: enrollment.enrolledAt,
        })
        .execute();
    });
  }

  async findByDeviceId(deviceId: string): Promise<EnrollmentRecord | undefined> {
    const row = await this.db.selectFrom("mdm_enrollments").selectAll().where("device_id", "=", normalizeDeviceId(deviceId)).executeTakeFirst();
    return row === undefined ? undefined : recordFromRow(row);
  }

  async findByEnrollmentId(enrollmentId: string): Promise<EnrollmentRecord | undefined> {
    const row = await this.db.selectFrom("mdm_enrollments").selectAll().where("enrollment_id", "=", enrollmentId).executeTakeFirst();
    return row === undefined ? undefined : recordFromRow(row);
  }

  async remove(deviceId: string): Promise<boolean> {
    const result = await this.db.deleteFrom("mdm_enrollments").where("device_id", "=", normalizeDeviceId(deviceId)).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/** The registry over a database whose schema includes {@link enrollmentTablesMigration}'s table. */
export function createEnrollmentRegistry(db: Kysely<EnrollmentDatabase>): EnrollmentRegistry {
  return new KyselyEnrollmentRegistry(db);
}
