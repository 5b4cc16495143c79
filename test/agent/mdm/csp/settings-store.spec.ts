import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CspTree, FileSettingsStore, type DeviceIdentity } from "../../../../agent/index.js";
import { ManualClock } from "../../../../lib/index.js";
import { ProtocolError } from "../../../../protocol/index.js";

const IDENTITY: DeviceIdentity = { deviceId: "D1", manufacturer: "Contoso", model: "M1", providerId: "MS DM Server" };
const POLICY = "./Device/Vendor/MSFT/Policy/Config/Update/ActiveHoursStart";
const REDEPLOY = "./Vendor/MSFT/RemoteWipe/AutomaticRedeployment/doAutomaticRedeployment";

async function errorCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).to.be.instanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  expect.fail("expected a ProtocolError");
}

describe("agent/mdm/csp/settings-store", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "apsim-csp-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps settings and Exec records across a reload of the file store", async () => {
    const file = path.join(dir, "mdm-settings.json");
    const first = await CspTree.open({ identity: IDENTITY, store: new FileSettingsStore(file), clock: new ManualClock(42) });
    await first.execute({ kind: "Replace", cmdId: "1", items: [{ target: POLICY, meta: { format: "int" }, data: "8" }] });
    await first.execute({ kind: "Exec", cmdId: "2", items: [{ target: REDEPLOY, data: "" }] });

    const reloaded = await CspTree.open({ identity: IDENTITY, store: new FileSettingsStore(file) });
    const [reply] = await reloaded.execute({ kind: "Get", cmdId: "3", items: [{ target: POLICY }] });
    expect(reply!.results).to.deep.equal([{ source: POLICY, meta: { format: "int", type: "text/plain" }, data: "8" }]);
    expect(reloaded.execRecords()).to.deep.equal([{ behaviour: "automatic-redeployment", locUri: "./Device" + REDEPLOY.slice(1), data: "", at: 42 }]);
    const [again] = await reloaded.execute({ kind: "Add", cmdId: "4", items: [{ target: POLICY, meta: { format: "int" }, data: "9" }] });
    expect(again!.statuses[0]!.code).to.equal(418);
  });

  it("starts empty without a file and writes nothing for a read-only session", async () => {
    const file = path.join(dir, "none.json");
    const tree = await CspTree.open({ identity: IDENTITY, store: new FileSettingsStore(file) });
    await tree.execute({ kind: "Get", cmdId: "1", items: [{ target: "./DevInfo/DevId" }] });
    expect(await readFile(file).catch(() => undefined)).to.equal(undefined);
  });

  it("refuses a corrupt or foreign settings file with MDM_SETTINGS_INVALID", async () => {
    const file = path.join(dir, "bad.json");
    for (const content of ["{not json", "[]", '{"version":2,"nodes":{},"execs":[]}', '{"version":1,"nodes":{"./a":{"format":"float","value":"1"}},"execs":[]}', '{"version":1,"nodes":{},"execs":[{}]}']) {
      await writeFile(file, content);
      expect(await errorCode(() => CspTree.open({ identity: IDENTITY, store: new FileSettingsStore(file) })), content).to.equal("MDM_SETTINGS_INVALID");
    }
  });
});
