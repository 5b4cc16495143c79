/**
 * A management server with the payload catalogue over real HTTPS with client certificates, on an in-memory
 * database, and enrolled devices whose groups and join mode the test sets: what the payload and device-side app
 * tests share.
 */
import { X509Certificate, generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { request } from "undici";
import { joinedDeviceMigrations, type JoinedDevicesDatabase } from "../../deployment-service/directory/joined-devices.js";
import {
  commandQueueMigrations,
  createEnrollmentRegistry,
  enrollmentMigrations,
  managedDeviceReader,
  payloadMigrations,
  registerManagementService,
  registerPayloadService,
  type CommandQueueDatabase,
  type CommandRecord,
  type EnrollmentDatabase,
  type EnrollmentRegistry,
  type PayloadDatabase,
  type PayloadService,
} from "../../deployment-service/mdm/index.js";
import { issueMdmClientCertificate, loadMdmCa, loadTlsCredentials, type MdmCa, type TlsCredentials } from "../../certs/index.js";
import { ManualClock, createHttpsAgent, createHttpsApp, listenLoopback, openDatabase } from "../../lib/index.js";
import { installProtocolErrorHandler } from "../../protocol/index.js";

export const ADMIN_TOKEN = "payload-admin-token";

type Database = EnrollmentDatabase & CommandQueueDatabase & PayloadDatabase & JoinedDevicesDatabase;

/** A device enrolled on the test server. */
export interface EnrolledTestDevice {
  readonly deviceId: string;
  readonly enrollmentId: string;
  readonly certificate: string;
  readonly key: string;
}

/** What {@link PayloadTestServer.enroll} sets up around the enrollment. */
export interface TestEnrollment {
  readonly groups?: readonly string[];
  readonly mode?: "user-driven" | "self-deploying" | "pre-provisioning";
  readonly userPrincipalName?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function rsaKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey }))));
}

/** The running server. */
export class PayloadTestServer {
  private readonly groupsByZtdId = new Map<string, readonly string[]>();

  private constructor(
    readonly home: string,
    readonly app: FastifyInstance,
    readonly tls: TlsCredentials,
    readonly mdmCa: MdmCa,
    readonly db: Kysely<Database>,
    readonly registry: EnrollmentRegistry,
    readonly baseUrl: string,
    readonly managementUrl: string,
    readonly clock: ManualClock,
    private payloadService: PayloadService | undefined,
  ) {}

  get payloads(): PayloadService {
    return this.payloadService!;
  }

  static async start(): Promise<PayloadTestServer> {
    const home = await mkdtemp(path.join(os.tmpdir(), "apsim-payloads-"));
    const tls = await loadTlsCredentials(home);
    const mdmCa = await loadMdmCa(home);
    const opened = await openDatabase<Database>(
      { kind: "sqlite", file: ":memory:" },
      {
        migrations: (kind) => ({
          getMigrations: () =>
            Promise.resolve({ ...enrollmentMigrations(kind), ...commandQueueMigrations(kind), ...joinedDeviceMigrations(kind), ...payloadMigrations(kind) }),
        }),
        migrationTableName: "test_migrations",
      },
    );
    const db = opened.db;
    const registry = createEnrollmentRegistry(db);
    const port = await freePort();
    const baseUrl = `https://127.0.0.1:${port}/`;
    const managementUrl = new URL("/ManagementServer/MDM.svc", baseUrl).toString();
    const clock = new ManualClock(Date.UTC(2026, 2, 1));
    const app = createHttpsApp({ tls: { cert: tls.cert, key: tls.key, requestCert: true } });
    installProtocolErrorHandler(app);
    const server = new PayloadTestServer(home, app, tls, mdmCa, db, registry, baseUrl, managementUrl, clock, undefined);
    server.payloadService = await registerPayloadService(app, {
      db,
      registry,
      mdmCaPem: mdmCa.certificatePem,
      managedDeviceOf: managedDeviceReader(db, { groupsOfDevice: (ztdId) => Promise.resolve([...(server.groupsByZtdId.get(ztdId) ?? [])]) }),
      baseUrl,
      clock,
      adminToken: ADMIN_TOKEN,
    });
    await registerManagementService(app, {
      managementUrl,
      db,
      registry,
      mdmCaPem: mdmCa.certificatePem,
      clock,
      adminToken: ADMIN_TOKEN,
      onSessionOpen: (enrollment) => server.payloads.queueMissing(enrollment),
    });
    await listenLoopback(app, { port });
    return server;
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.db.destroy();
    await rm(this.home, { recursive: true, force: true });
  }

  /** Enrolls a new device that joined in `options.mode` and is a member of `options.groups`. */
  async enroll(options: TestEnrollment = {}): Promise<EnrolledTestDevice> {
    const keys = await rsaKeyPair();
    const deviceId = randomBytes(16).toString("hex").toUpperCase();
    const enrollmentId = randomBytes(8).toString("hex").toUpperCase();
    const directoryDeviceId = randomBytes(16).toString("hex");
    const ztdId = randomBytes(16).toString("hex");
    this.groupsByZtdId.set(ztdId, options.groups ?? []);
    await this.db
      .insertInto("joined_devices")
      .values({
        device_id: directoryDeviceId,
        ztd_id: ztdId,
        serial_number: `SN-${deviceId.slice(0, 8)}`,
        mode: options.mode ?? "user-driven",
        join_type: "entra",
        user_principal_name: options.userPrincipalName ?? null,
        certificate_thumbprint: "00",
        machine_name: null,
        joined_at: this.clock.now(),
      })
      .execute();
    const issued = await issueMdmClientCertificate(this.mdmCa, {
      subjectPublicKeyInfo: keys.publicKey.export({ type: "spki", format: "der" }),
      commonName: enrollmentId,
      now: new Date(this.clock.now()),
    });
    const certificate = issued.toString("pem");
    const node = new X509Certificate(certificate);
    await this.registry.record({
      enrollmentId,
      deviceId,
      directoryDeviceId,
      userPrincipalName: options.userPrincipalName,
      enrollmentType: options.userPrincipalName === undefined ? "Device" : "Full",
      authKind: "OnPremise",
      selfDeploying: options.userPrincipalName === undefined,
      certificateSerial: node.serialNumber.toLowerCase(),
      certificateThumbprint: node.fingerprint.replaceAll(":", ""),
      enrolledAt: this.clock.now(),
    });
    return { deviceId, enrollmentId, certificate, key: keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
  }

  /** An admin API call. */
  async admin(method: "GET" | "POST" | "DELETE", pathname: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; json: unknown }> {
    const dispatcher = createHttpsAgent({ ca: this.tls.ca });
    try {
      const answer = await request(new URL(pathname, this.baseUrl), {
        method,
        dispatcher,
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await answer.body.text();
      return { status: answer.statusCode, json: text === "" ? undefined : JSON.parse(text) };
    } finally {
      await dispatcher.close();
    }
  }

  /** Catalogues a payload and returns its id. */
  async addPayload(document: Record<string, unknown>): Promise<{ payloadId: string; content?: { contentId: string; sha256: string; size: number } }> {
    const answer = await this.admin("POST", "/deployment/v1/admin/payloads", document);
    if (answer.status !== 201) throw new Error(`payload refused: ${JSON.stringify(answer.json)}`);
    return answer.json as { payloadId: string; content?: { contentId: string; sha256: string; size: number } };
  }

  /** The device's queued commands. */
  async commandsOf(device: EnrolledTestDevice): Promise<CommandRecord[]> {
    const answer = await this.admin("GET", `/deployment/v1/admin/devices/${device.deviceId}/commands`);
    return (answer.json as { commands: CommandRecord[] }).commands;
  }
}
