/**
 * What the Enrollment Status Page shows, read from the device's CSP tree (reference enrollment §3.4; DMClient CSP
 * FirstSyncStatus): the phase, its sub-steps (security policies, certificates, network connections, apps) with
 * their tracked items, the progress percentage, and the behaviour the server chose (timeout, blocking, ways out of
 * the failure screen, the custom error text). Device setup tracks `./Device/…` items, account setup `./User/…` ones.
 * Apps are the MSI packages FirstSyncStatus expects and the apps tracked under EnrollmentStatusTracking
 * `Setup/Apps/Tracking/<provider>/<app>/InstallationState` (1 not installed, 2 not required, 3 completed, 4 error).
 */

/** The ESP's phases; device preparation is OOBE's own steps up to MDM enrollment. */
export type EspPhase = "devicePreparation" | "deviceSetup" | "accountSetup";

/** The sub-steps of device and account setup, in the order the page shows them. */
export const ESP_SUB_STEPS = ["securityPolicies", "certificates", "networkConnections", "apps"] as const;
export type EspSubStepName = (typeof ESP_SUB_STEPS)[number];

/** Where one tracked item is. */
export type EspItemState = "inProgress" | "completed" | "failed";

/** One tracked item: a policy, certificate or network LocURI, an MSI package's Status LocURI, or a tracked app's InstallationState LocURI. */
export interface EspItem {
  readonly locUri: string;
  readonly state: EspItemState;
}

/** One sub-step with its items. */
export interface EspSubStep {
  readonly name: EspSubStepName;
  readonly items: readonly EspItem[];
  /** "identifying" until the server has said what is tracked. */
  readonly state: "identifying" | EspItemState;
}

/** What the server configured through FirstSyncStatus. */
export interface EspBehaviour {
  /** False when the server wrote none of the FirstSyncStatus settings: no ESP was configured. */
  readonly configured: boolean;
  readonly skipDevicePage: boolean;
  readonly skipUserPage: boolean;
  readonly timeoutMinutes: number;
  /** BlockInStatusPage bit 1: the page stays until required apps are installed; a failed one fails the page. */
  readonly blockDeviceUse: boolean;
  /** BlockInStatusPage bit 2: "Reset device" on the failure screen. */
  readonly allowReset: boolean;
  /** BlockInStatusPage bit 4: "Continue anyway" on the failure screen. */
  readonly allowUseOnError: boolean;
  readonly customErrorText: string;
  readonly serverHasFinishedProvisioning: boolean;
}

/** The page at one moment. */
export interface EspView {
  readonly phase: EspPhase;
  readonly behaviour: EspBehaviour;
  readonly subSteps: readonly EspSubStep[];
  /** Completed items over tracked items (100 when nothing is tracked and the server has finished). */
  readonly progressPercent: number;
}

/** How the device reads one of its nodes (the CSP tree's own read, no Get quirks). */
export type NodeReader = (locUri: string) => string | undefined;

/** How the device lists the LocURIs stored below a node. */
export type NodeLister = (locUri: string) => readonly string[];

const DELIMITER = "\uF000";
const DEFAULT_TIMEOUT_MINUTES = 60;
const DEFAULT_ERROR_TEXT = "Setup could not be completed. Please try again or contact your support person for help.";
/** EnterpriseDesktopAppManagement MSI Status: 70 enforcement completed; 30 download failed, 60 enforcement failed. */
const MSI_COMPLETED = 70;
const MSI_FAILED = new Set([30, 60]);
/** EnrollmentStatusTracking InstallationState: 2 not required and 3 completed end well, 4 is an error. */
const INSTALLATION_DONE = new Set([2, 3]);
const INSTALLATION_ERROR = 4;
const TRACKED_APP_STATE = /^\.\/(?:Device|User)\/Vendor\/MSFT\/EnrollmentStatusTracking\/Setup\/Apps\/Tracking\/[^/]+\/[^/]+\/InstallationState$/;

/** The FirstSyncStatus root of a provider. */
export function firstSyncStatusRoot(providerId: string): string {
  return `./Device/Vendor/MSFT/DMClient/Provider/${encodeURIComponent(providerId)}/FirstSyncStatus`;
}

/** The behaviour the server set, with the CSP's defaults for what it did not. */
export function readBehaviour(read: NodeReader, providerId: string): EspBehaviour {
  const root = firstSyncStatusRoot(providerId);
  const value = (name: string) => read(`${root}/${name}`);
  const flag = (name: string) => value(name)?.toLowerCase() === "true";
  const block = Number(value("BlockInStatusPage") ?? "0");
  const timeout = Number(value("TimeOutUntilSyncFailure") ?? DEFAULT_TIMEOUT_MINUTES);
  const configured = ["ExpectedPolicies", "ExpectedMSIAppPackages", "TimeOutUntilSyncFailure", "BlockInStatusPage", "SkipDeviceStatusPage", "SkipUserStatusPage", "ServerHasFinishedProvisioning"].some(
    (name) => value(name) !== undefined,
  );
  return {
    configured,
    skipDevicePage: flag("SkipDeviceStatusPage"),
    skipUserPage: flag("SkipUserStatusPage"),
    timeoutMinutes: Number.isInteger(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_MINUTES,
    blockDeviceUse: (block & 1) !== 0,
    allowReset: (block & 2) !== 0,
    allowUseOnError: (block & 4) !== 0,
    customErrorText: value("CustomErrorText") || DEFAULT_ERROR_TEXT,
    serverHasFinishedProvisioning: flag("ServerHasFinishedProvisioning"),
  };
}

function listOf(read: NodeReader, root: string, name: string): string[] | undefined {
  const text = read(`${root}/${name}`);
  return text === undefined ? undefined : text.split(DELIMITER).filter((entry) => entry !== "");
}

function msiState(read: NodeReader, entry: string): EspItemState {
  const status = Number(read(entry.replace(/;\d+$/, "")));
  if (status === MSI_COMPLETED) return "completed";
  return MSI_FAILED.has(status) ? "failed" : "inProgress";
}

function installationState(read: NodeReader, locUri: string): EspItemState {
  const state = Number(read(locUri));
  if (INSTALLATION_DONE.has(state)) return "completed";
  return state === INSTALLATION_ERROR ? "failed" : "inProgress";
}

/** The InstallationState LocURIs of the apps tracked under `scope` (`./Device/` or `./User/`). */
function trackedApps(list: NodeLister, scope: string): string[] {
  return list(`${scope}Vendor/MSFT/EnrollmentStatusTracking/Setup/Apps/Tracking`).filter((uri) => TRACKED_APP_STATE.test(uri));
}

const presentState = (read: NodeReader, locUri: string): EspItemState => (read(locUri) === undefined ? "inProgress" : "completed");

/** The page of `phase` as the tree has it now. */
export function readEspView(read: NodeReader, providerId: string, phase: "deviceSetup" | "accountSetup", list: NodeLister = () => []): EspView {
  const root = firstSyncStatusRoot(providerId);
  const behaviour = readBehaviour(read, providerId);
  const scope = phase === "deviceSetup" ? "./Device/" : "./User/";
  const mine = (entries: string[] | undefined) => entries?.filter((entry) => entry.startsWith(scope));
  const lists: Record<EspSubStepName, { entries: string[] | undefined; state: (locUri: string) => EspItemState }> = {
    securityPolicies: { entries: mine(listOf(read, root, "ExpectedPolicies")), state: (uri) => presentState(read, uri) },
    certificates: {
      entries: mine([...(listOf(read, root, "ExpectedPFXCerts") ?? []), ...(listOf(read, root, "ExpectedSCEPCerts") ?? [])]),
      state: (uri) => presentState(read, uri),
    },
    networkConnections: { entries: mine(listOf(read, root, "ExpectedNetworkProfiles")), state: (uri) => presentState(read, uri) },
    apps: {
      entries: [...(mine(listOf(read, root, "ExpectedMSIAppPackages")) ?? []), ...trackedApps(list, scope)],
      state: (uri) => (TRACKED_APP_STATE.test(uri) ? installationState(read, uri) : msiState(read, uri)),
    },
  };
  const identified = behaviour.configured;
  const subSteps = ESP_SUB_STEPS.map((name): EspSubStep => {
    const items = identified ? (lists[name].entries ?? []).map((locUri) => ({ locUri, state: lists[name].state(locUri) })) : [];
    const state = !identified ? "identifying" : items.some((item) => item.state === "failed") ? "failed" : items.every((item) => item.state === "completed") ? "completed" : "inProgress";
    return { name, items, state };
  });
  const items = subSteps.flatMap((step) => step.items);
  const done = items.filter((item) => item.state === "completed").length;
  const progressPercent = items.length === 0 ? (behaviour.serverHasFinishedProvisioning ? 100 : 0) : Math.floor((done * 100) / items.length);
  return { phase, behaviour, subSteps, progressPercent };
}
