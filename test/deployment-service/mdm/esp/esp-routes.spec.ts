/** The ESP admin API: settings per tenant and per profile, behind the admin token, and a device's tracking. */
import { expect } from "chai";
import Fastify, { type FastifyInstance } from "fastify";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Kysely } from "kysely";
import { EspStore, espMigrations, registerEspRoutes, type EnrollmentRecord, type EnrollmentRegistry, type EspDatabase } from "../../../../deployment-service/mdm/index.js";
import { ManualClock, openDatabase } from "../../../../lib/index.js";
import { installProtocolErrorHandler } from "../../../../protocol/index.js";

const TOKEN = "esp-admin-token";
const DEVICE: EnrollmentRecord = {
  enrollmentId: "E-1",
  deviceId: "0123456789ABCDEF0123456789ABCDEF",
  directoryDeviceId: undefined,
  userPrincipalName: undefined,
  enrollmentType: "Device",
  authKind: "DeviceToken",
  selfDeploying: true,
  certificateSerial: "01",
  certificateThumbprint: "AA",
  enrolledAt: 0,
};

describe("deployment-service/mdm/esp/esp-routes", () => {
  let dir: string;
  let db: Kysely<EspDatabase>;
  let store: EspStore;
  let app: FastifyInstance;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "apsim-esp-routes-"));
    db = (await openDatabase<EspDatabase>({ kind: "sqlite", file: path.join(dir, "store.sqlite") }, { migrations: (kind) => ({ getMigrations: () => Promise.resolve({ ...espMigrations(kind) }) }) })).db;
    store = new EspStore(db);
    const registry = {
      findByDeviceId: (id: string) => Promise.resolve(id.toUpperCase() === DEVICE.deviceId ? DEVICE : undefined),
      findByEnrollmentId: (id: string) => Promise.resolve(id === DEVICE.enrollmentId ? DEVICE : undefined),
    } as unknown as EnrollmentRegistry;
    app = Fastify();
    installProtocolErrorHandler(app);
    await registerEspRoutes(app, { store, registry, clock: new ManualClock(), adminToken: TOKEN, profileExists: (id) => Promise.resolve(id === "P-1") });
  });
  afterEach(async () => {
    await app.close();
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (method: "GET" | "PUT" | "DELETE", url: string, body?: unknown, token = TOKEN) => {
    const reply = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: reply.statusCode, json: reply.body === "" ? undefined : reply.json<Record<string, unknown>>() };
  };

  it("stores the tenant default and a profile's settings; refuses a wrong token, bad settings and unknown profiles", async () => {
    expect((await call("GET", "/deployment/v1/admin/esp")).json?.error).to.include({ code: "ESP_SETTINGS_NOT_FOUND" });
    expect(await call("PUT", "/deployment/v1/admin/esp", { timeoutMinutes: 45 })).to.deep.include({ status: 200 });
    expect((await call("GET", "/deployment/v1/admin/esp")).json).to.include({ timeoutMinutes: 45, blockDeviceUse: true });
    expect((await call("PUT", "/deployment/v1/admin/esp", { timeoutMinutes: 9999 })).json?.error).to.include({ code: "ESP_SETTINGS_INVALID" });
    expect((await call("GET", "/deployment/v1/admin/esp", undefined, "wrong")).status).to.equal(401);

    expect((await call("PUT", "/deployment/v1/admin/esp/profiles/P-1", { showProgress: false })).status).to.equal(200);
    expect((await call("GET", "/deployment/v1/admin/esp/profiles/P-1")).json).to.include({ showProgress: false });
    expect((await call("PUT", "/deployment/v1/admin/esp/profiles/P-2", {})).status).to.equal(404);
    expect((await call("DELETE", "/deployment/v1/admin/esp/profiles/P-1")).status).to.equal(204);
    expect((await call("GET", "/deployment/v1/admin/esp/profiles/P-1")).status).to.equal(404);
  });

  it("shows a device's tracking by device or enrollment id once its ESP started", async () => {
    expect((await call("GET", "/deployment/v1/admin/esp/devices/E-1")).status).to.equal(404);
    const tracked = { policies: ["./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera"], msiAppPackages: [], pfxCerts: [], scepCerts: [], networkProfiles: [], trackedApps: [], commandIds: ["c-1"] };
    await store.startTracking({ deviceId: DEVICE.deviceId, settings: null, tracked, startedAt: 5, finishedAt: null });
    const shown = await call("GET", "/deployment/v1/admin/esp/devices/E-1");
    expect(shown.json).to.deep.include({ deviceId: DEVICE.deviceId, tracked, finishedAt: null });
    expect((await call("GET", "/deployment/v1/admin/esp/devices/unknown")).json?.error).to.include({ code: "MDM_DEVICE_NOT_ENROLLED" });
  });
});
