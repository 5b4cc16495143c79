import { expect } from "chai";
import { openDatabase, type DatabaseLocation } from "../../../../lib/index.js";
import {
  createEnrollmentRegistry,
  enrollmentMigrations,
  type EnrollmentDatabase,
  type EnrollmentRecord,
} from "../../../../deployment-service/mdm/enrollment/index.js";
import { createTestSchema, type TestSchema } from "../../../attestation-service/support/postgres.js";

const selfDeployed: EnrollmentRecord = {
  enrollmentId: "5B8E7D4C-0000-4000-8000-000000000001",
  deviceId: "fedcba9876543210fedcba9876543210",
  directoryDeviceId: "8d9c3e29-0000-4000-8000-00000000abcd",
  userPrincipalName: undefined,
  enrollmentType: "Device",
  authKind: "DeviceToken",
  selfDeploying: true,
  certificateSerial: "4f2a",
  certificateThumbprint: "AB".repeat(20),
  enrolledAt: Date.UTC(2026, 2, 1),
};

function describeRegistry(engine: string, location: (context: Mocha.Context) => Promise<DatabaseLocation | undefined>, cleanup: () => Promise<void>): void {
  describe(`deployment-service/mdm/enrollment/enrollment-registry on ${engine}`, function () {
    this.timeout(30_000);
    let opened: Awaited<ReturnType<typeof openDatabase<EnrollmentDatabase>>> | undefined;

    before(async function () {
      const where = await location(this);
      if (where === undefined) return;
      opened = await openDatabase<EnrollmentDatabase>(where, {
        migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...enrollmentMigrations(kind) }) }),
        migrationTableName: "mdm_test_migrations",
      });
    });
    after(async () => {
      await opened?.db.destroy();
      await cleanup();
    });

    it("records, finds by device id (any case) and by enrollment id, replaces and removes enrollments", async function () {
      if (opened === undefined) this.skip();
      const registry = createEnrollmentRegistry(opened.db);
      expect(await registry.findByDeviceId(selfDeployed.deviceId)).to.equal(undefined);
      await registry.record(selfDeployed);
      const found = await registry.findByDeviceId(selfDeployed.deviceId.toUpperCase());
      expect(found).to.deep.equal({ ...selfDeployed, deviceId: selfDeployed.deviceId.toUpperCase() });
      expect((await registry.findByEnrollmentId(selfDeployed.enrollmentId))?.selfDeploying).to.equal(true);

      const replacement: EnrollmentRecord = {
        ...selfDeployed,
        enrollmentId: "5B8E7D4C-0000-4000-8000-000000000002",
        userPrincipalName: "ada@contoso.apsim.test",
        authKind: "OnPremise",
        selfDeploying: false,
      };
      await registry.record(replacement);
      expect((await registry.findByDeviceId(selfDeployed.deviceId))?.enrollmentId).to.equal(replacement.enrollmentId);
      expect(await registry.findByEnrollmentId(selfDeployed.enrollmentId)).to.equal(undefined);

      expect(await registry.remove(selfDeployed.deviceId)).to.equal(true);
      expect(await registry.remove(selfDeployed.deviceId)).to.equal(false);
      expect(await registry.findByDeviceId(selfDeployed.deviceId)).to.equal(undefined);
    });
  });
}

describeRegistry("SQLite", () => Promise.resolve({ kind: "sqlite", file: ":memory:" }), () => Promise.resolve());

let schema: TestSchema | undefined;
describeRegistry(
  "PostgreSQL",
  async (context) => {
    schema = await createTestSchema(context);
    return schema === undefined ? undefined : { kind: "postgres", url: schema.url };
  },
  async () => schema?.drop(),
);
