/**
 * What the Enrollment Status Page tracks for a device, read from the commands queued for it (reference enrollment
 * §2.4, DMClient CSP FirstSyncStatus): each Policy CSP Config node is an expected policy, each MSI
 * DownloadInstall an expected MSI package (`…/MSI/{ProductCode}/Status;1`), each ClientCertificateInstall PFX or
 * SCEP node an expected certificate, each Wi-Fi or VPNv2 profile an expected network profile, and each app a command
 * tracks under EnrollmentStatusTracking `Setup/Apps/Tracking/<provider>/<app>` (its InstallationState 1 to 4, which
 * the device reads itself) a tracked app. The LocURI shapes decide, not who queued the command.
 */
import type { CommandRecord, CommandSpec } from "../management/index.js";

/** The items one device's ESP waits for, and the commands that carry them. */
export interface TrackedItems {
  readonly policies: readonly string[];
  /** `./Device/…/MSI/{ProductCode}/Status;1` entries (the `;1` counts the package's files). */
  readonly msiAppPackages: readonly string[];
  readonly pfxCerts: readonly string[];
  readonly scepCerts: readonly string[];
  readonly networkProfiles: readonly string[];
  /** `./Device/…/EnrollmentStatusTracking/Setup/Apps/Tracking/<provider>/<app>` of the apps tracked there. */
  readonly trackedApps: readonly string[];
  readonly commandIds: readonly string[];
}

const POLICY = /^(\.\/(?:Device|User))?(\/Vendor\/MSFT\/Policy\/Config\/[^/]+\/[^/]+)$/;
const MSI = /^(\.\/(?:Device|User))?\/Vendor\/MSFT\/EnterpriseDesktopAppManagement\/MSI\/([^/]+)\/DownloadInstall$/;
const PFX = /^(\.\/(?:Device|User))?\/Vendor\/MSFT\/ClientCertificateInstall\/PFXCertInstall\/([^/]+)$/;
const SCEP = /^(\.\/(?:Device|User))?\/Vendor\/MSFT\/ClientCertificateInstall\/SCEP\/([^/]+)$/;
const TRACKED_APP = /^(\.\/(?:Device|User)\/Vendor\/MSFT\/EnrollmentStatusTracking\/Setup\/Apps\/Tracking\/[^/]+\/([^/]+))(?:\/[^/]+)?$/;
const NETWORK = /^(\.\/(?:Device|User))?\/Vendor\/MSFT\/(?:WiFi\/Profile|VPNv2)\/([^/]+)$/;

/** Where the first-sync commands themselves live: never tracked. */
export const FIRST_SYNC_STATUS_SEGMENT = "/Vendor/MSFT/DMClient/Provider/";

function targetsOf(spec: CommandSpec): string[] {
  const members = spec.kind === "Atomic" ? spec.commands : [spec];
  return members.filter((member) => member.kind !== "Get" && member.kind !== "Delete").flatMap((member) => member.items.map((item) => item.target));
}

/** Normalizes `./Vendor/MSFT/…` (the device root written short) to `./Device/Vendor/MSFT/…`. */
function withRoot(target: string): string {
  return target.startsWith("./Vendor/") ? `./Device${target.slice(1)}` : target;
}

/** The app id an MSI entry stands for (its ProductCode, braces and %7B escapes as written). */
export function productCodeOf(msiEntry: string): string | undefined {
  return /\/MSI\/([^/]+)\/Status;\d+$/.exec(msiEntry)?.[1];
}

/**
 * The items `commands` carry. `deviceOnly` (self-deploying and pre-provisioning) leaves out `./User/…` targets;
 * `selectedApps`, when not empty, keeps only those MSI packages (ProductCodes compared without braces, escapes or case).
 */
export function trackedItemsOf(commands: readonly CommandRecord[], options: { deviceOnly: boolean; selectedApps: readonly string[] }): TrackedItems {
  const key = (code: string) => {
    let text = code;
    try {
      text = decodeURIComponent(code);
    } catch {
      // A malformed escape is compared as written.
    }
    return text.replace(/[{}]/g, "").toUpperCase();
  };
  const selected = new Set(options.selectedApps.map(key));
  const sets = { policies: new Set<string>(), msiAppPackages: new Set<string>(), pfxCerts: new Set<string>(), scepCerts: new Set<string>(), networkProfiles: new Set<string>(), trackedApps: new Set<string>() };
  const commandIds: string[] = [];
  for (const record of commands) {
    let tracks = false;
    for (const raw of targetsOf(record.spec)) {
      const target = withRoot(raw);
      if (target.includes(FIRST_SYNC_STATUS_SEGMENT)) continue;
      if (options.deviceOnly && target.startsWith("./User/")) continue;
      const msi = MSI.exec(target);
      const tracked = TRACKED_APP.exec(target);
      if (tracked !== null) {
        if (selected.size > 0 && !selected.has(key(tracked[2]!))) continue;
        sets.trackedApps.add(tracked[1]!);
        tracks = true;
      } else if (msi !== null) {
        if (selected.size > 0 && !selected.has(key(msi[2]!))) continue;
        sets.msiAppPackages.add(`${msi[1]}/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/${msi[2]}/Status;1`);
        tracks = true;
      } else if (POLICY.test(target)) {
        sets.policies.add(target);
        tracks = true;
      } else if (PFX.test(target)) {
        sets.pfxCerts.add(target);
        tracks = true;
      } else if (SCEP.test(target)) {
        sets.scepCerts.add(target);
        tracks = true;
      } else if (NETWORK.test(target)) {
        sets.networkProfiles.add(target);
        tracks = true;
      }
    }
    if (tracks) commandIds.push(record.commandId);
  }
  return {
    policies: [...sets.policies],
    msiAppPackages: [...sets.msiAppPackages],
    pfxCerts: [...sets.pfxCerts],
    scepCerts: [...sets.scepCerts],
    networkProfiles: [...sets.networkProfiles],
    trackedApps: [...sets.trackedApps],
    commandIds,
  };
}
