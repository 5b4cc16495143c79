/**
 * The deployment service mounted on a fastify app: the directory and Autopilot registration behind the admin API,
 * and the device-facing profile lookup `POST /deployment/v1/autopilot/profile` (JSON {hardwareHash, serialNumber?}
 * → AutopilotConfigurationFile JSON, or DEVICE_NOT_REGISTERED / DEVICE_PROFILE_NOT_ASSIGNED), user sign-in
 * (`POST /deployment/v1/auth/token`) and MDM enrollment's Federated authentication page.
 */
import type { FastifyInstance } from "fastify";
import type { Kysely } from "kysely";
import { loadDeviceRegistrationCa, loadMdmCa, loadTlsTrust } from "../certs/index.js";
import type { Clock } from "../lib/index.js";
import { AUTOPILOT_PROFILE_LIMITS, AUTOPILOT_PROFILE_PATH, parseAutopilotProfileRequest } from "../protocol/index.js";
import { registerDeploymentAdminRoutes } from "./admin-routes.js";
import { DEFAULT_TENANT_DOMAIN, Directory } from "./directory/directory.js";
import { joinDirectoryOf, joinedDeviceMigrations, type JoinedDevicesDatabase } from "./directory/joined-devices.js";
import { deviceCertificateCheck } from "./mdm/device-certificate-check.js";
import { loadUserTokens } from "./directory/user-tokens.js";
import { registerFederatedPage } from "./federated-page.js";
import type { AttestationKeySource } from "./join/attestation-keys.js";
import { DomainControllerSimulator } from "./join/domain-controller.js";
import { registerJoinService } from "./join/join-routes.js";
import { databaseTokenReplayGuard, usedTokenMigrations, type UsedAttestationTokensDatabase } from "./join/used-tokens.js";
import {
  CommandQueue,
  commandQueueMigrations,
  createEnrollmentRegistry,
  directoryAuthenticator,
  enrollmentMigrations,
  enrollmentProfileResolver,
  EspStore,
  EspTracker,
  espMigrations,
  registerEspRoutes,
  DEFAULT_PROVIDER_ID,
  type EspDatabase,
  registerEnrollmentService,
  registerManagementService,
  managedDeviceReader,
  payloadMigrations,
  registerPayloadService,
  type PayloadDatabase,
  type CommandQueueDatabase,
  type EnrollmentDatabase,
  type SessionEngineLimits,
} from "./mdm/index.js";
import { deviceProfile } from "./profiles/profiles.js";
import { createSignIn, registerSignInRoutes } from "./sign-in.js";
import { openDeploymentStore, type DeploymentStore, type TenantRecord } from "./store/deployment-store.js";
import type { MigrationSet } from "./store/migrations.js";

/** Options of {@link registerDeploymentService}. */
export interface DeploymentServiceOptions {
  /** Home of the default SQLite database and of the MDM CA. */
  readonly home: string;
  /** The base URL devices reach the service at (MDM enrollment serves its URLs on its root). */
  readonly baseUrl: string;
  /** `postgres://…`, `sqlite:PATH`, `:memory:` or a path; default `<home>/deployment.sqlite`. */
  readonly db?: string | undefined;
  readonly clock: Clock;
  /** Bearer token of the admin routes. */
  readonly adminToken: string;
  /** The tenant's domain (default `contoso.example`); the tenant is created on first start. */
  readonly tenantDomain?: string | undefined;
  /** Migrations of other parts of the service (MDM), run with the directory's. */
  readonly extraMigrations?: readonly MigrationSet[];
  /** scrypt cost of new password hashes (default: OWASP's minimum). */
  readonly passwordCost?: { N: number; r: number; p: number };
  /** The attestation service's token keys (default: fetched from the base URL, where `apsim up` serves them). */
  readonly attestationKeys?: AttestationKeySource;
  /** The on-premises domain hybrid joins join (default `corp.<tenant domain>`). */
  readonly domainController?: DomainControllerSimulator;
  /** Bounds of the MDM management server (commands per message, sessions in flight, Retry-After). */
  readonly management?: SessionEngineLimits;
}

/** The mounted service, with what other parts of the deployment service build on. */
export interface DeploymentService {
  readonly tenant: TenantRecord;
  readonly directory: Directory;
  readonly store: DeploymentStore;
  /** The simulated domain controller of hybrid joins (tests make it unreachable). */
  readonly domainController: DomainControllerSimulator;
  close(): Promise<void>;
}

/** Opens and migrates the store, creates the tenant when new, and mounts the routes on `app`. */
export async function registerDeploymentService(app: FastifyInstance, options: DeploymentServiceOptions): Promise<DeploymentService> {
  const store = await openDeploymentStore({ home: options.home, db: options.db, extraMigrations: [joinedDeviceMigrations, usedTokenMigrations, enrollmentMigrations, commandQueueMigrations, espMigrations, payloadMigrations, ...(options.extraMigrations ?? [])] });
  try {
    const directory = new Directory({ store, clock: options.clock, ...(options.passwordCost === undefined ? {} : { passwordCost: options.passwordCost }) });
    const tenant = await directory.ensureTenant(options.tenantDomain ?? DEFAULT_TENANT_DOMAIN);
    await registerDeploymentAdminRoutes(app, { adminToken: options.adminToken, directory, tenant, clock: options.clock });
    app.post(`/${AUTOPILOT_PROFILE_PATH}`, { bodyLimit: AUTOPILOT_PROFILE_LIMITS.maxRequestBytes }, async (request, reply) => {
      const profile = await deviceProfile(directory, parseAutopilotProfileRequest(request.body));
      return reply.type("application/json").send(profile);
    });
    const userTokens = await loadUserTokens(options.home, options.clock);
    const signIn = createSignIn(directory, userTokens);
    registerSignInRoutes(app, signIn);
    await registerFederatedPage(app, { signIn, tenantDomain: tenant.domain });
    const domainController = options.domainController ?? new DomainControllerSimulator({ domain: `corp.${tenant.domain}` });
    const join = await registerJoinService(app, {
      home: options.home,
      clock: options.clock,
      directory: joinDirectoryOf(directory, store, tenant),
      attestationKeys: options.attestationKeys ?? { url: options.baseUrl, ca: await loadTlsTrust(options.home) },
      domainController,
      replayGuard: databaseTokenReplayGuard(store.db as unknown as Kysely<UsedAttestationTokensDatabase>),
    });
    const checkDeviceToken = async (jwt: string) => {
      const claims = await join.verifyDeviceToken(jwt);
      return claims === undefined ? undefined : { deviceId: claims.deviceid, userPrincipalName: claims.upn };
    };
    // the store's database holds the enrollment and command tables: their migrations ran with the directory's above
    const registry = createEnrollmentRegistry(store.db as unknown as Kysely<EnrollmentDatabase>);
    const mdmCa = await loadMdmCa(options.home);
    const managementUrl = new URL("/ManagementServer/MDM.svc", options.baseUrl).toString();
    await registerEnrollmentService(app, {
      baseUrl: options.baseUrl,
      tenantDomain: tenant.domain,
      authenticator: directoryAuthenticator(
        directory,
        checkDeviceToken,
        async (token) => (await userTokens.verify(token, "mdm"))?.sub,
        deviceCertificateCheck(await loadDeviceRegistrationCa(options.home), options.clock),
      ),
      registry,
      mdmCa,
      clock: options.clock,
      managementUrl,
    });
    const espStore = new EspStore(store.db as unknown as Kysely<EspDatabase>);
    await registerEspRoutes(app, {
      store: espStore,
      registry,
      clock: options.clock,
      adminToken: options.adminToken,
      profileExists: async (profileId) => (await store.findProfile(profileId))?.tenantId === tenant.id,
    });
    const espTracker = new EspTracker({
      store: espStore,
      queue: new CommandQueue(store.db as unknown as Kysely<CommandQueueDatabase>),
      clock: options.clock,
      providerId: DEFAULT_PROVIDER_ID,
      profileOf: enrollmentProfileResolver(directory, store),
    });
    const payloads = await registerPayloadService(app, {
      db: store.db as unknown as Kysely<PayloadDatabase & CommandQueueDatabase>,
      registry,
      mdmCaPem: mdmCa.certificatePem,
      managedDeviceOf: managedDeviceReader(store.db as unknown as Kysely<JoinedDevicesDatabase>, store),
      baseUrl: options.baseUrl,
      clock: options.clock,
      adminToken: options.adminToken,
    });
    await registerManagementService(app, {
      ...options.management,
      // The Enrollment Status Page tracks what is queued for the device, so it looks after the payloads are queued.
      onSessionOpen: async (enrollment) => {
        await payloads.queueMissing(enrollment);
        await espTracker.onSessionOpen(enrollment);
      },
      managementUrl,
      db: store.db as unknown as Kysely<CommandQueueDatabase>,
      registry,
      mdmCaPem: mdmCa.certificatePem,
      clock: options.clock,
      adminToken: options.adminToken,
    });
    let closed: Promise<void> | undefined;
    const close = async () => {
      await join.close();
      await store.close();
    };
    return { tenant, directory, store, domainController, close: () => (closed ??= close()) };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** What {@link deploymentServiceMount}'s function is given by the process that runs it. */
export interface DeploymentMountContext {
  readonly home: string;
  /** The server's base URL. */
  readonly url: string;
  readonly adminToken: string;
  readonly clock: Clock;
}

/**
 * The deployment service as a function that mounts it on an app (for startServices' `extraServices`, which the
 * command line composes).
 */
export function deploymentServiceMount(
  options: Omit<DeploymentServiceOptions, "home" | "baseUrl" | "adminToken" | "clock">,
): (app: FastifyInstance, context: DeploymentMountContext) => Promise<DeploymentService> {
  return (app, context) =>
    registerDeploymentService(app, { ...options, home: context.home, baseUrl: context.url, adminToken: context.adminToken, clock: context.clock });
}
