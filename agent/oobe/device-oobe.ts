/**
 * One device through OOBE against a deployment server: the profile decides the mode, then "Securing your hardware"
 * (TPM attestation), "Joining your organization's network" (device registration with the AIK certificate, or the
 * user's credentials), "Registering your device for mobile management" (MS-MDE2 enrollment with the device token).
 * Pre-provisioning splits the flow: the technician provisions and reseals; the user later signs in on the same
 * state.
 */
import { createHash } from "node:crypto";
import type { Dispatcher } from "undici";
import { createHttpsAgent, seededRandom, systemClock, type Clock } from "../../lib/index.js";
import { expandDeviceNameTemplate, type AutopilotConfigurationFile, type JoinMode } from "../../protocol/index.js";
import { attestDevice, type AttestDeviceOptions } from "../attestation/attest-device.js";
import type { Exchange } from "../attestation/http-exchange.js";
import type { AttestationOutcome } from "../attestation/outcome.js";
import type { DeviceDescription } from "../device/device-description.js";
import { buildHardwareHash } from "../device/hardware-hash-builder.js";
import { DeviceEsp, type DeviceEspOptions, type EspEnrollment, type EspResult } from "../esp/index.js";
import { joinDevice, type JoinOutcome } from "../join/join-device.js";
import { enrollDevice, type EnrollmentSuccess } from "../mdm/enrollment/enroll-device.js";
import type { KeySource } from "../mdm/enrollment/windows-csr.js";
import type { TpmDevice } from "../tpm/tpm-device.js";
import { OobeStepFailure, type OobeStep } from "./oobe-step.js";
import type { OobeState, OobeStateStore } from "./oobe-state.js";
import { downloadProfile } from "./profile-client.js";
import { signInUser } from "./sign-in.js";
import { runOobe, type DeploymentMode, type OobeFlowPart, type OobeRun } from "./run-oobe.js";

/** Options of {@link runDeviceOobe}. */
export interface DeviceOobeOptions {
  readonly description: DeviceDescription;
  /** The device's open TPM (left open); undefined for a device without one. */
  readonly tpm: TpmDevice | undefined;
  readonly serverUrl: string;
  /** PEM trust anchors of the services' TLS; ignored with `dispatcher`. */
  readonly ca?: string;
  /** An undici dispatcher to reuse (fleets share one); otherwise one is made and closed here. */
  readonly dispatcher?: Dispatcher;
  /** The user who signs in (user-driven, and the user part of pre-provisioning). */
  readonly user?: { readonly upn: string; readonly password: string };
  /** The technician's pre-provisioning flow (Windows key five times at the first OOBE screen). */
  readonly technician?: boolean;
  readonly state: OobeStateStore;
  readonly clock?: Clock;
  /** The RSA key pair of the MDM client certificate (fleets pass a pool); default a fresh RSA-2048 pair. */
  readonly enrollmentKeySource?: KeySource;
  readonly requestTimeoutMs?: number;
  /** Attestation choices (EK, AK kind and `unique`, certificate cache, retry backoff); Windows' defaults otherwise. */
  readonly attestation?: Pick<AttestDeviceOptions, "ek" | "ak" | "akUnique" | "certificateCache" | "retry">;
  readonly onStep?: (step: OobeStep, detail?: string) => void;
  /**
   * The Enrollment Status Page's sessions; `false` leaves its steps out. Without it, a caller that gives only a
   * `dispatcher` (no `ca` to trust the management server with) runs no ESP.
   */
  readonly esp?: DeviceEspOptions | false;
  /** The device's hardware hash when the caller already read it (a fleet registering its devices); read here otherwise. */
  readonly hardwareHash?: Buffer;
}

/** What the flow reports (the `apsim device oobe --json` document). */
export interface DeviceOobeResult extends OobeRun {
  readonly deviceName: string | null;
  readonly enrollmentId: string | null;
  /** The profile's name, organization and assigned user, as the technician's screen shows them. */
  readonly profileName: string | null;
  /** The MDM enrollment: certificate and key for the management sessions that follow. */
  readonly enrollment: EnrollmentSuccess | null;
  /** The Enrollment Status Page's phases as they ended (device setup, account setup). */
  readonly esp: readonly EspResult[];
  readonly state: OobeState;
}

/**
 * The enrollment a technician's flow made, by the state store it resealed, for the user part that follows in the
 * same process when the caller keeps no enrollment of its own (the key never goes into the saved state).
 */
const resealedEnrollments = new WeakMap<OobeStateStore, EspEnrollment>();

function espEnrollmentOf(enrollment: EnrollmentSuccess): EspEnrollment {
  return {
    clientCertificate: enrollment.clientCertificate,
    privateKey: enrollment.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    dmServerUrl: enrollment.dmServerUrl,
    providerId: enrollment.providerId,
  };
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Windows' product type numbers (GetProductInfo) of the editions the catalogue holds. */
const PRODUCT_TYPES: Readonly<Record<string, number>> = {
  Professional: 48,
  Enterprise: 4,
  Education: 121,
  ProfessionalEducation: 164,
  CloudEdition: 203,
};

/** A 32-hex-digit Windows DeviceID (./DevInfo/DevId) and a 64-hex-digit HWDevID, stable for the device's seed. */
export function windowsDeviceIds(description: DeviceDescription): { deviceId: string; hwDevId: string } {
  const digest = (label: string) => createHash("sha256").update(label).update(description.seed).digest("hex").toUpperCase();
  return { deviceId: digest("DeviceID").slice(0, 32), hwDevId: digest("HWDevID") };
}

/** The device's name: the profile's template, or Windows' own `DESKTOP-` plus seven characters. */
function deviceNameOf(description: DeviceDescription, profile: AutopilotConfigurationFile): string {
  const random = seededRandom(createHash("sha256").update("DeviceName").update(description.seed).digest().readUInt32BE(0));
  if (profile.CloudAssignedDeviceName !== undefined && profile.CloudAssignedDomainJoinMethod === 0) {
    return expandDeviceNameTemplate(profile.CloudAssignedDeviceName, description.smbios.serialNumber, () => Math.floor(random() * 10));
  }
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  return `DESKTOP-${Array.from({ length: 7 }, () => alphabet[Math.floor(random() * alphabet.length)]).join("")}`;
}

/** Self-deploying and pre-provisioning need a TPM 2.0 that can attest: not none, not 1.2, not a virtual machine's. */
function requireAttestableTpm(description: DeviceDescription, tpm: TpmDevice | undefined): TpmDevice {
  if (tpm === undefined || description.tpm.kind === "none") throw new OobeStepFailure("NO_TPM", "this device has no TPM");
  if (description.tpm.kind === "tpm12") throw new OobeStepFailure("NO_TPM", "TPM 1.2 cannot attest for Autopilot; TPM 2.0 is required");
  if (description.tpm.kind === "virtual" || description.chassis.virtualMachine) {
    throw new OobeStepFailure("NO_TPM", "virtual machines cannot attest for self-deploying or pre-provisioning");
  }
  return tpm;
}

function failureOf(outcome: { code: string; hresult: string; message?: string }, what: string): OobeStepFailure {
  return new OobeStepFailure(outcome.code, outcome.message ?? `${what} failed`, { hresult: Number(outcome.hresult) });
}

/** The mode a profile gives this run, and which part of it runs. */
function modeOf(profile: AutopilotConfigurationFile, technician: boolean, state: OobeState): DeploymentMode {
  if (state.stage === "resealed") return "pre-provisioning";
  if (technician) {
    if (profile.CloudAssignedDeploymentMode !== "user-driven" || profile.CloudAssignedPreProvisioningAllowed !== 1) {
      throw new OobeStepFailure("PRE_PROVISIONING_NOT_ALLOWED", `profile ${profile.DeploymentProfileName} does not allow pre-provisioning`);
    }
    return "pre-provisioning";
  }
  return profile.CloudAssignedDeploymentMode;
}

function partOf(technician: boolean, state: OobeState): OobeFlowPart {
  if (state.stage === "resealed") return "user";
  return technician ? "technician" : "full";
}

/**
 * Runs OOBE for the device and saves its state (after a reseal and at the end). A device that already completed
 * OOBE, or a user flow asked of a device the technician never resealed, fails at once with a clear code.
 */
export async function runDeviceOobe(options: DeviceOobeOptions): Promise<DeviceOobeResult> {
  const clock = options.clock ?? systemClock;
  const technician = options.technician ?? false;
  const initial = await options.state.load();
  if (initial.stage === "completed") throw new OobeStepFailure("DEVICE_ALREADY_DEPLOYED", "this device already completed OOBE");
  if (technician && initial.stage !== "new") throw new OobeStepFailure("DEVICE_ALREADY_DEPLOYED", "the technician flow already ran on this device");
  const ownDispatcher = options.dispatcher === undefined ? createHttpsAgent(options.ca === undefined ? {} : { ca: options.ca }) : undefined;
  const dispatcher = options.dispatcher ?? ownDispatcher!;
  const exchange: Exchange = { dispatcher, timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
  const { description } = options;
  const ids = windowsDeviceIds(description);
  let state = initial;
  let profile: AutopilotConfigurationFile | undefined;
  let deviceName: string | null = state.deviceName;
  let attestation: AttestationOutcome | undefined;
  let join: JoinOutcome | undefined;
  let enrollment: EnrollmentSuccess | null = null;
  const flowStarted = clock.now();
  const espEnabled = options.esp !== false && (options.esp !== undefined || options.ca !== undefined || options.dispatcher === undefined);
  const deviceEsp = new DeviceEsp(options.esp === false ? {} : options.esp, clock);
  const espResults: EspResult[] = [];
  const runEspPhase = async (phase: "deviceSetup" | "accountSetup") => {
    const espEnrollment =
      (enrollment === null ? undefined : espEnrollmentOf(enrollment)) ?? (options.esp === false ? undefined : options.esp?.enrollment) ?? resealedEnrollments.get(options.state);
    if (espEnrollment === undefined) throw new OobeStepFailure("MDM_DEVICE_NOT_ENROLLED", "the device has no MDM enrollment to run the Enrollment Status Page with");
    const result = await deviceEsp.run({
      phase,
      enrollment: espEnrollment,
      identity: { deviceId: ids.deviceId, manufacturer: description.smbios.manufacturer, model: description.smbios.productName, osVersion: `10.0.${description.os.build}` },
      ca: options.ca,
      // Self-deploying and pre-provisioning track device-targeted items only (reference enrollment §3.4).
      deviceTargetedOnly: state.mode === "pre-provisioning" || technician || profile?.CloudAssignedDeploymentMode === "self-deploying",
    });
    espResults.push(result);
    // "Continue anyway" on an ESP that allows it lets the flow go on; otherwise the page's failure ends it.
    if (!result.deviceUsable) throw new OobeStepFailure(result.code, result.errorText ?? `${phase} failed`);
  };

  let akReleased = false;
  const releaseAk = async () => {
    const ak = attestation?.attestationKey;
    if (ak === undefined || options.tpm === undefined || akReleased) return;
    akReleased = true;
    await options.tpm.flushQuietly(ak.handle);
  };
  try {
    const run = await runOobe({
      clock,
      part: partOf(technician, state),
      esp: espEnabled,
      ...(options.onStep === undefined ? {} : { onStep: options.onStep }),
      handlers: {
        profile: async () => {
          const hash = options.hardwareHash ?? (await buildHardwareHash(description, options.tpm));
          profile = await downloadProfile(
            options.serverUrl,
            { hardwareHash: hash.toString("base64"), serialNumber: description.smbios.serialNumber },
            exchange,
          );
          deviceName ??= deviceNameOf(description, profile);
          return modeOf(profile, technician, state);
        },
        signIn: async () => {
          if (options.user === undefined) throw new OobeStepFailure("USER_CREDENTIALS_REQUIRED", "this flow needs a user to sign in (--user, --password)");
          await signInUser(options.serverUrl, options.user, exchange);
        },
        securingHardware: async () => {
          const tpm = requireAttestableTpm(description, options.tpm);
          attestation = await attestDevice({ ...options.attestation, tpm, serverUrl: options.serverUrl, dispatcher, clock, keepAk: true });
          if (!attestation.ok) throw failureOf(attestation, "TPM attestation");
        },
        joiningNetwork: async () => {
          const mode: JoinMode = technician ? "pre-provisioning" : profile!.CloudAssignedDeploymentMode;
          if (options.tpm === undefined) throw new OobeStepFailure("NO_TPM", "the device key of the join lives in the TPM");
          join = await joinDevice({
            tpm: options.tpm,
            serverUrl: options.serverUrl,
            dispatcher,
            mode,
            joinType: profile!.CloudAssignedDomainJoinMethod === 1 ? "hybrid" : "entra",
            serialNumber: description.smbios.serialNumber,
            deviceName: deviceName!,
            ...(attestation === undefined ? {} : { attestation }),
            ...(options.user === undefined || mode !== "user-driven"
              ? {}
              : { credentials: { userPrincipalName: options.user.upn, password: options.user.password } }),
          });
          await releaseAk();
          if (!join.ok) throw failureOf(join, "device registration");
        },
        registeringMdm: async () => {
          const outcome = await enrollDevice({
            serverUrl: options.serverUrl,
            dispatcher,
            credentials: { kind: "deviceToken", jwt: join!.deviceToken! },
            device: {
              deviceId: ids.deviceId,
              hwDevId: ids.hwDevId,
              deviceName: deviceName!,
              macAddresses: description.nics.map((nic) => nic.mac.replaceAll(":", "-")),
              osEdition: PRODUCT_TYPES[description.os.editionId] ?? 48,
              osVersion: `${description.os.major}.${description.os.minor}.${description.os.build}.${description.os.revision}`,
              locale: profile!.CloudAssignedLanguage ?? "en-US",
            },
            enrollmentType: "Device",
            clock,
            ...(options.enrollmentKeySource === undefined ? {} : { keySource: options.enrollmentKeySource }),
          });
          if (!outcome.ok) throw failureOf(outcome, "MDM enrollment");
          enrollment = outcome;
        },
        deviceSetup: () => runEspPhase("deviceSetup"),
        accountSetup: () => runEspPhase("accountSetup"),
        reseal: async () => {
          if (enrollment !== null) resealedEnrollments.set(options.state, espEnrollmentOf(enrollment));
          state = {
            ...state,
            stage: "resealed",
            mode: "pre-provisioning",
            deviceName,
            deviceId: join?.deviceId ?? null,
            enrollmentId: enrollment?.enrollmentId ?? null,
            provisionedAt: clock.now(),
            provisioningMs: clock.now() - flowStarted,
          };
          await options.state.save(state);
        },
      },
    });
    if (run.ok && partOf(technician, initial) !== "technician") {
      state = {
        ...state,
        stage: "completed",
        mode: run.mode,
        deviceName,
        deviceId: join?.deviceId ?? state.deviceId,
        enrollmentId: (enrollment as EnrollmentSuccess | null)?.enrollmentId ?? state.enrollmentId,
      };
      await options.state.save(state);
    }
    const enrolled = enrollment as EnrollmentSuccess | null;
    return {
      ...run,
      deviceName,
      enrollmentId: enrolled?.enrollmentId ?? state.enrollmentId,
      profileName: (profile)?.DeploymentProfileName ?? null,
      enrollment: enrolled,
      esp: espResults,
      state,
    };
  } finally {
    await releaseAk();
    await ownDispatcher?.close();
  }
}
