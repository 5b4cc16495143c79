/**
 * The Enrollment Status Page on the device during OOBE: each phase runs real management sessions (the device's
 * OMA-DM client over the enrollment's client certificate) against the CSP tree, and reads the page from it.
 */
import { systemClock, type Clock } from "../../lib/index.js";
import type { DeviceIdentity } from "../mdm/csp/csp-node.js";
import { CspTree } from "../mdm/csp/csp-tree.js";
import { MemorySettingsStore, type SettingsStore } from "../mdm/csp/settings-store.js";
import { runManagementSession } from "../mdm/management-session.js";
import { createManagementTransport } from "../mdm/management-transport.js";
import { readBehaviour, type EspView } from "./esp-view.js";
import { runEsp, type EspResult } from "./run-esp.js";

/** What sessions need of the MDM enrollment. */
export interface EspEnrollment {
  /** PEM. */
  readonly clientCertificate: string;
  /** PEM (PKCS#8) of the client certificate's key. */
  readonly privateKey: string;
  readonly dmServerUrl: string;
  readonly providerId: string;
}

/** How the device runs its ESP (all optional). */
export interface DeviceEspOptions {
  /** The enrollment of the user part of pre-provisioning, made by the technician's part. */
  readonly enrollment?: EspEnrollment;
  /** Where the CSP tree's settings live; default in memory for this flow. */
  readonly settings?: SettingsStore;
  /** The next management SessionID (they rise per session); default counts from 1 for this flow. */
  readonly nextSessionId?: () => Promise<number>;
  /** Time between idle sessions; default 60 s. */
  readonly pollIntervalMs?: number;
  /** Waits between idle sessions (default a timer); tests move a manual clock here. */
  readonly wait?: (ms: number) => Promise<void>;
  readonly onProgress?: (view: EspView) => void;
  /**
   * Runs after each session of a page that is shown, before the page is read: the device's app installs (the MSI
   * jobs the session recorded, the management extension's apps), whose statuses the page then shows.
   */
  readonly afterSession?: (tree: CspTree, enrollment: EspEnrollment) => Promise<void>;
}

/** One phase's run. */
export interface DeviceEspRun {
  readonly phase: "deviceSetup" | "accountSetup";
  readonly enrollment: EspEnrollment;
  /** The device's identity as the CSP tree reports it (its provider id is the enrollment's). */
  readonly identity: Omit<DeviceIdentity, "providerId">;
  /** PEM trust anchors of the management server's TLS (absent: the system's). */
  readonly ca?: string | undefined;
  readonly deviceTargetedOnly: boolean;
}

const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The device's ESP: one CSP tree for the flow, phases run over it. */
export class DeviceEsp {
  private tree: CspTree | undefined;
  private sessionId = 0;
  private readonly settings: SettingsStore;

  constructor(
    private readonly options: DeviceEspOptions = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.settings = options.settings ?? new MemorySettingsStore();
  }

  /** Runs one phase to its end. */
  async run(run: DeviceEspRun): Promise<EspResult> {
    const identity: DeviceIdentity = { ...run.identity, providerId: run.enrollment.providerId };
    this.tree ??= await CspTree.open({ identity, store: this.settings, clock: this.clock });
    const tree = this.tree;
    const transport = createManagementTransport({
      serverUrl: run.enrollment.dmServerUrl,
      clientCertificate: run.enrollment.clientCertificate,
      privateKey: run.enrollment.privateKey,
      clock: this.clock,
      ...(run.ca === undefined ? {} : { ca: run.ca }),
    });
    try {
      return await runEsp({
        phase: run.phase,
        providerId: run.enrollment.providerId,
        clock: this.clock,
        read: (locUri) => tree.read(locUri)?.value,
        list: (locUri) => tree.storedUnder(locUri),
        sync: async () => {
          const sessionId = (await this.options.nextSessionId?.()) ?? (this.sessionId += 1);
          const session = await runManagementSession({ identity, serverUrl: run.enrollment.dmServerUrl, tree, transport: transport.send, sessionId, devicePrepSync: "ExecutingProvisioning" });
          // Apps install while a page tracks them; with no page they wait for the device's next sync.
          const behaviour = readBehaviour((locUri) => tree.read(locUri)?.value, run.enrollment.providerId);
          const shown = behaviour.configured && !(run.phase === "deviceSetup" ? behaviour.skipDevicePage : behaviour.skipUserPage);
          if (shown) await this.options.afterSession?.(tree, run.enrollment);
          return session.commandsAnswered;
        },
        wait: this.options.wait ?? timer,
        deviceTargetedOnly: run.deviceTargetedOnly,
        ...(this.options.pollIntervalMs === undefined ? {} : { pollIntervalMs: this.options.pollIntervalMs }),
        ...(this.options.onProgress === undefined ? {} : { onProgress: this.options.onProgress }),
      });
    } finally {
      await transport.close();
    }
  }
}
