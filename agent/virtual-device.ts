/**
 * The virtual device as a library: create it (hardware and TPM), read its hardware hash, and walk it through OOBE
 * against any deployment server's base URL — for fleets and for other projects' integration tests.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import type { Dispatcher } from "undici";
import { createHttpsAgent, ensurePrivateDir, readFileIfExists, systemClock, writeFileAtomic, writeSecretFile, type Clock } from "../lib/index.js";
import { ProtocolError, decodeHardwareHash, formatAutopilotCsv, type AutopilotConfigurationFile } from "../protocol/index.js";
import type { DeviceDescription } from "./device/device-description.js";
import { createDeviceDirectory, loadDeviceDirectory, openDeviceTpm, type CreateDeviceOptions } from "./device/device-directory.js";
import { buildHardwareHash } from "./device/hardware-hash-builder.js";
import type { EspEnrollment } from "./esp/index.js";
import { runDeviceApps, type AppRunReport, type DeviceAppOptions } from "./mdm/apps/index.js";
import { CspTree } from "./mdm/csp/csp-tree.js";
import { FileSettingsStore } from "./mdm/csp/settings-store.js";
import type { KeySource } from "./mdm/enrollment/windows-csr.js";
import { runManagementSession, type ManagementSessionResult } from "./mdm/management-session.js";
import { createManagementTransport } from "./mdm/management-transport.js";
import { runDeviceOobe, windowsDeviceIds, type DeviceOobeResult } from "./oobe/device-oobe.js";
import type { OobeStep } from "./oobe/oobe-step.js";
import { fileOobeStateStore, type OobeState } from "./oobe/oobe-state.js";
import { downloadProfile } from "./oobe/profile-client.js";

/** Where a device keeps its MDM enrollment (certificate and root public, key 0600): what management sessions use. */
export const ENROLLMENT_DIR = "mdm";
const ENROLLMENT_FILE = "enrollment.json";
const ENROLLMENT_KEY_FILE = "enrollment-key.pem";
/** The CSP tree's settings and the last management SessionID, beside the enrollment. */
const CSP_SETTINGS_FILE = "csp-settings.json";
const SESSION_FILE = "session.json";
/** The payload ids the management extension already ran. */
const EXTENSION_RUNS_FILE = "extension-runs.json";
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** What the technician's screen shows before Provision (reference enrollment §3.3). */
export interface TechnicianView {
  readonly profileName: string;
  readonly organization: string;
  /** The user the device is assigned to, or null. */
  readonly assignedUser: string | null;
  /** What the screen's QR code holds: the device's Autopilot id, serial number and hardware hash digest. */
  readonly qrPayload: string;
  readonly preProvisioningAllowed: boolean;
}

/** How the device reaches a deployment server. */
export interface ServerConnection {
  readonly serverUrl: string;
  /** PEM trust anchors of the server's TLS; ignored with `dispatcher`. */
  readonly ca?: string;
  readonly dispatcher?: Dispatcher;
}

/** Options of {@link VirtualDevice.oobe}. */
export interface VirtualDeviceOobeOptions extends ServerConnection {
  readonly user?: { readonly upn: string; readonly password: string };
  readonly technician?: boolean;
  readonly clock?: Clock;
  readonly enrollmentKeySource?: KeySource;
  readonly onStep?: (step: OobeStep, detail?: string) => void;
  /** Waits between the Enrollment Status Page's idle sessions (default a timer). */
  readonly espWait?: (ms: number) => Promise<void>;
  /** How the apps the Enrollment Status Page's sessions deliver install. */
  readonly apps?: DeviceAppOptions;
}

/** Options of {@link VirtualDevice.sync}. */
export interface VirtualDeviceSyncOptions {
  /** PEM trust anchors of the management server's TLS (absent: the system's). */
  readonly ca?: string;
  readonly clock?: Clock;
  /** Waits before a retry after 429 (default a timer). */
  readonly wait?: (ms: number) => Promise<void>;
  /** Tries of one message while the server answers 429; default 3. */
  readonly maxAttempts?: number;
  /** How the apps the session delivers install (scenarios by app key, install time, progress). */
  readonly apps?: DeviceAppOptions;
}

/** What {@link VirtualDevice.sync} did: the session, and the apps and scripts run after it. */
export interface VirtualDeviceSyncResult extends ManagementSessionResult {
  readonly apps: readonly AppRunReport[];
}

/** A device in a directory on disk. */
export class VirtualDevice {
  private constructor(
    readonly dir: string,
    readonly description: DeviceDescription,
  ) {}

  /** Makes a device (hardware from the catalogue, its TPM manufactured) in `options.dir`. */
  static async create(options: CreateDeviceOptions): Promise<VirtualDevice> {
    const made = await createDeviceDirectory(options);
    return new VirtualDevice(made.dir, made.description);
  }

  /** Opens the device in `dir`. */
  static async open(dir: string): Promise<VirtualDevice> {
    const loaded = await loadDeviceDirectory(dir);
    return new VirtualDevice(loaded.dir, loaded.description);
  }

  /** The Autopilot hardware hash, read from the device's hardware and TPM. */
  async hardwareHash(): Promise<Buffer> {
    const tpm = openDeviceTpm({ dir: this.dir, description: this.description });
    try {
      return await buildHardwareHash(this.description, tpm);
    } finally {
      await tpm?.close();
    }
  }

  /** The Get-WindowsAutopilotInfo CSV of this device. */
  async autopilotCsv(options: { groupTag?: string; assignedUser?: string } = {}): Promise<string> {
    return formatAutopilotCsv([
      {
        serialNumber: this.description.smbios.serialNumber,
        productId: "",
        hardwareHash: (await this.hardwareHash()).toString("base64"),
        groupTag: options.groupTag ?? "",
        assignedUser: options.assignedUser ?? "",
      },
    ]);
  }

  /** The OOBE state the device keeps (new, resealed, completed). */
  state(): Promise<OobeState> {
    return fileOobeStateStore(this.dir).load();
  }

  /** The technician's screen: the profile the service assigns, without provisioning anything (also "Refresh"). */
  async technicianView(connection: ServerConnection): Promise<TechnicianView> {
    const hash = await this.hardwareHash();
    const profile = await this.withDispatcher(connection, (dispatcher) =>
      downloadProfile(
        connection.serverUrl,
        { hardwareHash: hash.toString("base64"), serialNumber: this.description.smbios.serialNumber },
        { dispatcher, timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS },
      ),
    );
    return {
      profileName: profile.DeploymentProfileName,
      organization: profile.CloudAssignedTenantDomain,
      assignedUser: assignedUserOf(profile),
      qrPayload: JSON.stringify({
        ztdId: profile.ZtdRegistrationId ?? null,
        serialNumber: this.description.smbios.serialNumber,
        hardwareHashSha256: createHash("sha256").update(hash).digest("hex"),
        ekPubHash: safeEkPubHash(hash),
      }),
      preProvisioningAllowed: profile.CloudAssignedPreProvisioningAllowed === 1,
    };
  }

  /**
   * Runs OOBE (or the technician's part, or the user's part after a reseal) and keeps the state and the MDM
   * enrollment in the device directory.
   */
  async oobe(options: VirtualDeviceOobeOptions): Promise<DeviceOobeResult> {
    const tpm = openDeviceTpm({ dir: this.dir, description: this.description });
    try {
      const mdmDir = path.join(this.dir, ENROLLMENT_DIR);
      await ensurePrivateDir(mdmDir);
      const result = await runDeviceOobe({
        // The ESP's sessions share the CSP settings and SessionIDs of later syncs; the user part of
        // pre-provisioning runs them with the enrollment the technician's part saved.
        esp: {
          settings: new FileSettingsStore(path.join(mdmDir, CSP_SETTINGS_FILE)),
          nextSessionId: () => this.nextSessionId(),
          ...(await this.savedEspEnrollment()),
          ...(options.espWait === undefined ? {} : { wait: options.espWait }),
          afterSession: async (tree, enrollment) => {
            await runDeviceApps({
              ...options.apps,
              tree,
              deviceId: windowsDeviceIds(this.description).deviceId,
              dmServerUrl: enrollment.dmServerUrl,
              clientCertificate: enrollment.clientCertificate,
              privateKey: enrollment.privateKey,
              ...(options.ca === undefined ? {} : { ca: options.ca }),
              clock: options.clock ?? systemClock,
              doneFile: path.join(mdmDir, EXTENSION_RUNS_FILE),
            });
          },
        },
        description: this.description,
        tpm,
        serverUrl: options.serverUrl,
        state: fileOobeStateStore(this.dir),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
        ...(options.user === undefined ? {} : { user: options.user }),
        ...(options.technician === undefined ? {} : { technician: options.technician }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
        ...(options.enrollmentKeySource === undefined ? {} : { enrollmentKeySource: options.enrollmentKeySource }),
        ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
      });
      if (result.enrollment !== null) await this.saveEnrollment(result);
      return result;
    } finally {
      await tpm?.close();
    }
  }

  /** The saved MDM enrollment (certificate PEMs and server), or undefined before enrollment. */
  async enrollment(): Promise<SavedEnrollment | undefined> {
    const text = await readFileIfExists(path.join(this.dir, ENROLLMENT_DIR, ENROLLMENT_FILE));
    return text === undefined ? undefined : (JSON.parse(text.toString("utf8")) as SavedEnrollment);
  }

  /**
   * Runs one OMA-DM management session (Alert 1201) with the saved enrollment: the server's commands apply to the
   * device's CSP tree, whose settings are kept in the device directory; then the MSI jobs it recorded and the
   * management extension's Win32 apps and scripts run (their outcomes are reported at the next session's Gets and
   * through the extension channel).
   * @throws ProtocolError MDM_DEVICE_NOT_ENROLLED before enrollment; the transport's and session's errors otherwise.
   */
  async sync(options: VirtualDeviceSyncOptions = {}): Promise<VirtualDeviceSyncResult> {
    const saved = await this.enrollment();
    if (saved === undefined) throw new ProtocolError("MDM_DEVICE_NOT_ENROLLED", "this device has no MDM enrollment; run OOBE first");
    const dir = path.join(this.dir, ENROLLMENT_DIR);
    const privateKey = await readFileIfExists(path.join(dir, saved.keyFile));
    if (privateKey === undefined) throw new ProtocolError("MDM_DEVICE_NOT_ENROLLED", "the enrollment's private key is missing");
    const identity = {
      deviceId: windowsDeviceIds(this.description).deviceId,
      manufacturer: this.description.smbios.manufacturer,
      model: this.description.smbios.productName,
      providerId: saved.providerId,
      osVersion: `10.0.${this.description.os.build}`,
    };
    const tree = await CspTree.open({
      identity,
      store: new FileSettingsStore(path.join(dir, CSP_SETTINGS_FILE)),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    const sessionId = await this.nextSessionId();
    const transport = createManagementTransport({
      serverUrl: saved.dmServerUrl,
      clientCertificate: saved.clientCertificate,
      privateKey: privateKey.toString("utf8"),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.wait === undefined ? {} : { wait: options.wait }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    });
    try {
      const session = await runManagementSession({ identity, serverUrl: saved.dmServerUrl, tree, transport: transport.send, sessionId });
      const apps = await runDeviceApps({
        ...options.apps,
        tree,
        deviceId: identity.deviceId,
        dmServerUrl: saved.dmServerUrl,
        clientCertificate: saved.clientCertificate,
        privateKey: privateKey.toString("utf8"),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        clock: options.clock ?? systemClock,
        doneFile: path.join(dir, EXTENSION_RUNS_FILE),
      });
      return { ...session, apps };
    } finally {
      await transport.close();
    }
  }

  private async nextSessionId(): Promise<number> {
    const sessionId = (await this.lastSessionId()) + 1;
    await writeFileAtomic(path.join(this.dir, ENROLLMENT_DIR, SESSION_FILE), `${JSON.stringify({ sessionId })}\n`);
    return sessionId;
  }

  /** The saved enrollment as the ESP uses it, when there is one. */
  private async savedEspEnrollment(): Promise<{ enrollment?: EspEnrollment }> {
    const saved = await this.enrollment();
    const key = saved === undefined ? undefined : await readFileIfExists(path.join(this.dir, ENROLLMENT_DIR, saved.keyFile));
    if (saved === undefined || key === undefined) return {};
    return { enrollment: { clientCertificate: saved.clientCertificate, privateKey: key.toString("utf8"), dmServerUrl: saved.dmServerUrl, providerId: saved.providerId } };
  }

  /** The SessionID of the last management session (0 before the first); SessionIDs rise per session. */
  private async lastSessionId(): Promise<number> {
    const text = await readFileIfExists(path.join(this.dir, ENROLLMENT_DIR, SESSION_FILE));
    if (text === undefined) return 0;
    const sessionId = (JSON.parse(text.toString("utf8")) as { sessionId?: unknown }).sessionId;
    return typeof sessionId === "number" && Number.isSafeInteger(sessionId) && sessionId >= 0 && sessionId < 0xffff ? sessionId : 0;
  }

  private async saveEnrollment(result: DeviceOobeResult): Promise<void> {
    const enrollment = result.enrollment!;
    const dir = path.join(this.dir, ENROLLMENT_DIR);
    await ensurePrivateDir(dir);
    await writeSecretFile(path.join(dir, ENROLLMENT_KEY_FILE), enrollment.privateKey.export({ type: "pkcs8", format: "pem" }));
    const saved: SavedEnrollment = {
      enrollmentId: enrollment.enrollmentId,
      clientCertificate: enrollment.clientCertificate,
      rootCertificate: enrollment.rootCertificate,
      dmServerUrl: enrollment.dmServerUrl,
      providerId: enrollment.providerId,
      keyFile: ENROLLMENT_KEY_FILE,
    };
    await writeFileAtomic(path.join(dir, ENROLLMENT_FILE), `${JSON.stringify(saved, null, 2)}\n`);
  }

  private async withDispatcher<T>(connection: ServerConnection, work: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (connection.dispatcher !== undefined) return work(connection.dispatcher);
    const own = createHttpsAgent(connection.ca === undefined ? {} : { ca: connection.ca });
    try {
      return await work(own);
    } finally {
      await own.close();
    }
  }
}

/** The enrollment a device keeps on disk (its key in `keyFile`, beside it, 0600). */
export interface SavedEnrollment {
  readonly enrollmentId: string;
  readonly clientCertificate: string;
  readonly rootCertificate: string;
  readonly dmServerUrl: string;
  readonly providerId: string;
  readonly keyFile: string;
}


/** CloudAssignedAadServerData's ZeroTouchConfig.CloudAssignedTenantUpn: the assigned user, when there is one. */
function assignedUserOf(profile: AutopilotConfigurationFile): string | null {
  try {
    const data = JSON.parse(profile.CloudAssignedAadServerData) as { ZeroTouchConfig?: { CloudAssignedTenantUpn?: unknown } };
    const upn = data.ZeroTouchConfig?.CloudAssignedTenantUpn;
    return typeof upn === "string" && upn !== "" ? upn : null;
  } catch {
    return null;
  }
}

function safeEkPubHash(hash: Buffer): string | null {
  try {
    return decodeHardwareHash(hash).fields.ekPubHash ?? null;
  } catch {
    return null;
  }
}
