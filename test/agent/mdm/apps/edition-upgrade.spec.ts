import { expect } from "chai";
import { CspTree, EDITION_ENTERPRISE, applyEditionUpgrade } from "../../../../agent/index.js";
import { ManualClock } from "../../../../lib/index.js";

const identity = { deviceId: "0123456789ABCDEF0123456789ABCDEF", manufacturer: "Contoso", model: "Laptop 7", providerId: "apsim" };
const UPGRADE = "./Device/Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey";

describe("agent/mdm/apps/edition-upgrade: Pro to Enterprise with a product key", () => {
  it("reports Enterprise and a completed upgrade once the server Exec'd a key, and only once", async () => {
    const clock = new ManualClock();
    const tree = await CspTree.open({ identity, clock });
    expect(await applyEditionUpgrade(tree, clock)).to.deep.equal([]);
    const [reply] = await tree.execute({ kind: "Exec", cmdId: "2", items: [{ target: UPGRADE, meta: { format: "chr" }, data: "NPPR9-FWDCX-D2C8J-H872K-2YT43" }] });
    expect(reply?.statuses[0]?.code).to.equal(200);
    const reports = await applyEditionUpgrade(tree, clock);
    expect(reports.map((report) => `${report.kind}:${report.key}:${report.outcome}`)).to.deep.equal(["edition:Enterprise:success"]);
    expect(tree.read("./Device/Vendor/MSFT/WindowsLicensing/Edition")?.value).to.equal(String(EDITION_ENTERPRISE));
    expect(tree.read("./Device/Vendor/MSFT/WindowsLicensing/Status")?.value).to.equal("3");
    expect(await applyEditionUpgrade(tree, clock)).to.deep.equal([]);
  });
});
