/**
 * The device's Enrollment Status Page over a real CSP tree: the server's FirstSyncStatus settings arrive through
 * sessions, app installs move on the injected clock, and the page ends in success, a failure screen, or a timeout.
 */
import { expect } from "chai";
import { CspTree } from "../../../agent/mdm/csp/csp-tree.js";
import { runEsp, type EspView, type RunEspOptions } from "../../../agent/esp/index.js";
import { ManualClock } from "../../../lib/index.js";
import type { ItemCommand } from "../../../protocol/index.js";

const PROVIDER = "apsim";
const ROOT = `./Device/Vendor/MSFT/DMClient/Provider/${PROVIDER}/FirstSyncStatus`;
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const SEARCH = "./Device/Vendor/MSFT/Policy/Config/Search/AllowCortana";
const APP_STATUS = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/Status";
const MINUTE = 60_000;

type Item = readonly [target: string, format: string, data: string];
const replace = (...items: Item[]): ItemCommand => ({
  kind: "Replace",
  cmdId: "1",
  items: items.map(([target, format, data]) => ({ target, meta: { format }, data })),
});

/**
 * A server that sends `sessions[i]` at the i-th session (nothing after the last), and an MSI install that ends
 * with `appStatus` `installMinutes` after the page started.
 */
async function scenario(sessions: readonly ItemCommand[][], app: { installMinutes: number; finalStatus: number } | undefined, overrides: Partial<RunEspOptions> = {}) {
  const clock = new ManualClock();
  const started = clock.now();
  const tree = await CspTree.open({ identity: { deviceId: "D", manufacturer: "M", model: "X", providerId: PROVIDER } });
  let session = 0;
  const views: EspView[] = [];
  const read = (locUri: string) => {
    if (app !== undefined && locUri === APP_STATUS) return String(clock.now() - started >= app.installMinutes * MINUTE ? app.finalStatus : 50);
    return tree.read(locUri)?.value;
  };
  const result = await runEsp({
    phase: "deviceSetup",
    providerId: PROVIDER,
    clock,
    read,
    sync: async () => {
      const commands = sessions[session++] ?? [];
      for (const command of commands) await tree.execute(command);
      return commands.length;
    },
    wait: (ms) => Promise.resolve(clock.advance(ms)),
    onProgress: (view) => views.push(view),
    ...overrides,
  });
  return { result, views, clock };
}

const firstSync = (block: number, extra: Item[] = []) =>
  replace(
    [`${ROOT}/ExpectedPolicies`, "chr", [CAMERA, SEARCH].join("\uF000")],
    [`${ROOT}/ExpectedMSIAppPackages`, "chr", `${APP_STATUS};1`],
    [`${ROOT}/TimeOutUntilSyncFailure`, "int", "30"],
    [`${ROOT}/BlockInStatusPage`, "int", String(block)],
    [`${ROOT}/CustomErrorText`, "chr", "Call the help desk at 555-0100"],
    ...extra,
  );
const policies = replace([CAMERA, "int", "0"], [SEARCH, "int", "0"]);
const finished = replace([`${ROOT}/ServerHasFinishedProvisioning`, "bool", "true"]);

describe("agent/esp/run-esp", () => {
  it("succeeds once the policies are applied, the app installed and the server has finished; progress rises to 100 %", async () => {
    const { result, views } = await scenario([[firstSync(1), policies], [finished]], { installMinutes: 5, finalStatus: 70 });
    expect(result).to.include({ outcome: "succeeded", code: "OK", deviceUsable: true, progressPercent: 100, errorText: null });
    expect(result.ms).to.be.at.least(5 * MINUTE);
    expect(views[0]!.progressPercent).to.equal(66);
    expect(result.subSteps.map((step) => `${step.name}:${step.state}`)).to.deep.equal([
      "securityPolicies:completed",
      "certificates:completed",
      "networkConnections:completed",
      "apps:completed",
    ]);
  });

  it("a required app that fails on a blocking page ends on the failure screen with the custom text", async () => {
    const { result } = await scenario([[firstSync(1 | 2), policies], [finished]], { installMinutes: 2, finalStatus: 60 });
    expect(result).to.include({ outcome: "failed", code: "ESP_APP_INSTALL_FAILED", deviceUsable: false, canReset: true });
    expect(result.errorText).to.equal("Call the help desk at 555-0100");
    expect(result.subSteps.find((step) => step.name === "apps")?.state).to.equal("failed");
  });

  it("allow use on error: the failure screen lets the user continue", async () => {
    const { result } = await scenario([[firstSync(1 | 4), policies], [finished]], { installMinutes: 0, finalStatus: 60 });
    expect(result).to.include({ outcome: "failed", code: "ESP_APP_INSTALL_FAILED", deviceUsable: true, canReset: false });
  });

  it("times out after TimeOutUntilSyncFailure minutes on the device's clock when the server never finishes", async () => {
    const { result } = await scenario([[firstSync(1), policies]], { installMinutes: 0, finalStatus: 70 }, { pollIntervalMs: 3 * MINUTE });
    expect(result).to.include({ outcome: "timedOut", code: "ESP_TIMED_OUT", deviceUsable: false });
    expect(result.ms).to.be.within(30 * MINUTE, 33 * MINUTE);
    expect(result.sessions).to.be.greaterThan(10);
  });

  it("a page that does not block lets a failed app through once the server has finished", async () => {
    const { result } = await scenario([[firstSync(0), policies], [finished]], { installMinutes: 0, finalStatus: 60 });
    expect(result).to.include({ outcome: "succeeded", deviceUsable: true });
  });

  it("apps tracked under EnrollmentStatusTracking count by InstallationState: 3 completes, 4 fails a blocking page", async () => {
    const tracked = (state: number) =>
      replace([`./Device/Vendor/MSFT/EnrollmentStatusTracking/Setup/Apps/Tracking/Sidecar/Contoso7Zip/InstallationState`, "int", String(state)]);
    const run = async (state: number) => {
      const clock = new ManualClock();
      const tree = await CspTree.open({ identity: { deviceId: "D", manufacturer: "M", model: "X", providerId: PROVIDER } });
      const sessions = [[firstSync(1), policies, tracked(2)], [tracked(state), finished]];
      let session = 0;
      return runEsp({
        phase: "deviceSetup",
        providerId: PROVIDER,
        clock,
        read: (locUri) => (locUri === APP_STATUS ? "70" : tree.read(locUri)?.value),
        list: (locUri) => tree.storedUnder(locUri),
        sync: async () => {
          const commands = sessions[session++] ?? [];
          for (const command of commands) await tree.execute(command);
          return commands.length;
        },
        wait: (ms) => Promise.resolve(clock.advance(ms)),
      });
    };
    const installed = await run(3);
    expect(installed).to.include({ outcome: "succeeded" });
    expect(installed.subSteps.find((step) => step.name === "apps")?.items).to.have.length(2);
    expect(await run(4)).to.include({ outcome: "failed", code: "ESP_APP_INSTALL_FAILED" });
  });

  it("is skipped after one session when the server configured no ESP, or asked to skip the page", async () => {
    const none = await scenario([[policies]], undefined);
    expect(none.result).to.include({ outcome: "skipped", code: "OK", sessions: 1 });
    const skip = await scenario([[replace([`${ROOT}/SkipDeviceStatusPage`, "bool", "true"])]], undefined);
    expect(skip.result).to.include({ outcome: "skipped", sessions: 1 });
  });
});
