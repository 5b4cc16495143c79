import { expect } from "chai";
import { exitCodeOf, hresultFromWin32, scenarioOf } from "../../../../agent/index.js";

describe("agent/mdm/apps/app-scenario: how an install turns out", () => {
  it("finds a scenario by key, product codes in either case, and defaults to an instant success", () => {
    const scenarios = { "{AB-CD}": { installMs: 5, outcome: "failure" as const }, player: { installMs: 7, outcome: "reboot" as const } };
    expect(scenarioOf(scenarios, "{ab-cd}")).to.deep.equal({ installMs: 5, outcome: "failure" });
    expect(scenarioOf(scenarios, "player").installMs).to.equal(7);
    expect(scenarioOf(scenarios, "other")).to.deep.equal({ installMs: 0, outcome: "success" });
    expect(scenarioOf(undefined, "other").outcome).to.equal("success");
  });

  it("uses MSI's exit codes unless the scenario names one, and reports Win32 codes as HRESULTs", () => {
    expect([exitCodeOf({ installMs: 0, outcome: "success" }), exitCodeOf({ installMs: 0, outcome: "reboot" }), exitCodeOf({ installMs: 0, outcome: "failure" })]).to.deep.equal([0, 3010, 1603]);
    expect(exitCodeOf({ installMs: 0, outcome: "failure", exitCode: 1618 })).to.equal(1618);
    expect(hresultFromWin32(1603)).to.equal(0x80070643 | 0);
    expect(hresultFromWin32(0)).to.equal(0);
  });
});
