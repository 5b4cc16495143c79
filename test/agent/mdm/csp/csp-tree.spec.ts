import { expect } from "chai";
import { CspTree, MemorySettingsStore, type CommandReply, type DeviceIdentity } from "../../../../agent/index.js";
import { ManualClock } from "../../../../lib/index.js";
import type { AtomicCommand, ItemCommand, ItemCommandName, SyncMlItem } from "../../../../protocol/index.js";

const IDENTITY: DeviceIdentity = {
  deviceId: "1E08C6E95D8BB843B1278FF45BC60CC6",
  manufacturer: "VMware, Inc.",
  model: "VMware7,1",
  providerId: "MS DM Server",
  osVersion: "10.0.19043.1237",
};

const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const FIRST_SYNC = "./Vendor/MSFT/DMClient/Provider/MS%20DM%20Server/FirstSyncStatus";
const MSI = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D";
const MSI_JOB =
  '<MsiInstallJob id="{A427C0AA-E2D5-40DF-ACE8-0D726A6BE096}"><Product Version="1.0.0.0"><Download><ContentURLList>' +
  "<ContentURL>https://apps.example/agent.msi</ContentURL></ContentURLList></Download><Validation><FileHash>" +
  "8C3B2C5E0A4F6B1F7C9D8E2A1B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D5E</FileHash></Validation><Enforcement>" +
  "<CommandLine>/quiet</CommandLine><TimeOut>10</TimeOut><RetryCount>1</RetryCount><RetryInterval>5</RetryInterval></Enforcement>" +
  "</Product></MsiInstallJob>";

let nextId = 0;
function command(kind: ItemCommandName, target: string, data?: string, format?: string): ItemCommand {
  const item: SyncMlItem = { target, ...(format === undefined ? {} : { meta: { format } }), ...(data === undefined ? {} : { data }) };
  return { kind, cmdId: String(++nextId), items: [item] };
}

async function codeOf(tree: CspTree, cmd: ItemCommand | AtomicCommand): Promise<number> {
  const [reply] = await tree.execute(cmd);
  return reply!.statuses[0]!.code;
}

async function getValue(tree: CspTree, target: string): Promise<SyncMlItem | undefined> {
  const [reply] = await tree.execute(command("Get", target));
  return reply!.statuses[0]!.code === 200 ? reply!.results[0] : undefined;
}

describe("agent/mdm/csp/csp-tree", () => {
  let tree: CspTree;
  beforeEach(async () => {
    tree = await CspTree.open({ identity: IDENTITY, clock: new ManualClock(1_700_000_000_000) });
  });

  it("answers Get on read-only device nodes with Results carrying Source, Format and Data", async () => {
    const [reply] = await tree.execute({ kind: "Get", cmdId: "9", items: [{ target: "./DevDetail/SwV" }, { target: "./DevInfo/DevId" }] });
    expect(reply!.statuses).to.deep.equal([{ code: 200, targetRefs: [] }]);
    expect(reply!.results).to.deep.equal([
      { source: "./DevDetail/SwV", meta: { format: "chr", type: "text/plain" }, data: "10.0.19043.1237" },
      { source: "./DevInfo/DevId", meta: { format: "chr", type: "text/plain" }, data: IDENTITY.deviceId },
    ]);
  });

  it("refuses writes to read-only nodes with 405", async () => {
    expect(await codeOf(tree, command("Replace", "./DevInfo/DevId", "x"))).to.equal(405);
    expect(await codeOf(tree, command("Delete", "./DevDetail/SwV"))).to.equal(405);
    expect(await codeOf(tree, command("Exec", "./DevInfo/Man"))).to.equal(405);
    expect(await codeOf(tree, command("Replace", `${MSI}/Status`, "70", "int"))).to.equal(405);
    expect((await getValue(tree, "./DevInfo/DevId"))?.data).to.equal(IDENTITY.deviceId);
  });

  it("answers 404 for unknown LocURIs, another provider's nodes, unset nodes and bad paths", async () => {
    expect(await codeOf(tree, command("Get", "./Vendor/MSFT/NoSuchCsp/Node"))).to.equal(404);
    expect(await codeOf(tree, command("Replace", "./Vendor/MSFT/DMClient/Provider/Other/FirstSyncStatus/IsSyncDone", "true", "bool"))).to.equal(404);
    expect(await codeOf(tree, command("Get", CAMERA))).to.equal(404);
    expect(await codeOf(tree, command("Delete", CAMERA))).to.equal(404);
    expect(await codeOf(tree, command("Get", "./DevInfo/../DevInfo/DevId"))).to.equal(404);
    expect(await codeOf(tree, command("Get", "DevInfo/DevId"))).to.equal(404);
  });

  it("returns from Get what Replace set, in device scope with or without ./Device, and in Policy/Result", async () => {
    expect(await codeOf(tree, command("Replace", "./Vendor/MSFT/Policy/Config/Camera/AllowCamera", "0", "int"))).to.equal(200);
    expect(await getValue(tree, CAMERA)).to.deep.equal({ source: CAMERA, meta: { format: "int", type: "text/plain" }, data: "0" });
    expect((await getValue(tree, "./Device/Vendor/MSFT/Policy/Result/Camera/AllowCamera"))?.data).to.equal("0");
    expect(await codeOf(tree, command("Replace", CAMERA, "1", "int"))).to.equal(200);
    expect((await getValue(tree, "./Vendor/MSFT/Policy/Config/Camera/AllowCamera"))?.data).to.equal("1");
    expect(await codeOf(tree, command("Delete", CAMERA))).to.equal(200);
    expect(await codeOf(tree, command("Get", CAMERA))).to.equal(404);
  });

  it("answers 418 to an Add of a node that exists", async () => {
    expect(await codeOf(tree, command("Add", CAMERA, "0", "int"))).to.equal(200);
    expect(await codeOf(tree, command("Add", CAMERA, "1", "int"))).to.equal(418);
    expect((await getValue(tree, CAMERA))?.data).to.equal("0");
  });

  it("answers 415 to a format the node does not take or data not of its format", async () => {
    expect(await codeOf(tree, command("Replace", `${FIRST_SYNC}/TimeOutUntilSyncFailure`, "60", "chr"))).to.equal(415);
    expect(await codeOf(tree, command("Replace", `${FIRST_SYNC}/TimeOutUntilSyncFailure`, "sixty", "int"))).to.equal(415);
    expect(await codeOf(tree, command("Replace", `${FIRST_SYNC}/SkipUserStatusPage`, "yes", "bool"))).to.equal(415);
    expect(await codeOf(tree, command("Replace", CAMERA, "<a>", "xml"))).to.equal(415);
    expect(await codeOf(tree, command("Replace", CAMERA, "@@", "b64"))).to.equal(415);
    expect(await codeOf(tree, command("Replace", CAMERA, "1", "float"))).to.equal(415);
    expect(await codeOf(tree, command("Get", `${FIRST_SYNC}/TimeOutUntilSyncFailure`))).to.equal(200);
  });

  it("reports DMClient defaults and refuses ServerHasFinishedProvisioning going back to false with 405", async () => {
    expect((await getValue(tree, `${FIRST_SYNC}/TimeOutUntilSyncFailure`))?.data).to.equal("60");
    expect(await codeOf(tree, command("Replace", `${FIRST_SYNC}/ServerHasFinishedProvisioning`, "true", "bool"))).to.equal(200);
    expect(await codeOf(tree, command("Replace", `${FIRST_SYNC}/ServerHasFinishedProvisioning`, "false", "bool"))).to.equal(405);
    expect((await getValue(tree, `${FIRST_SYNC}/ServerHasFinishedProvisioning`))?.data).to.equal("true");
  });

  it("answers Get on ADMX-ingested policies with 404 even once applied (the Windows quirk)", async () => {
    const admx = "./Device/Vendor/MSFT/Policy/Config/Contoso~Policy~Category/Setting";
    expect(await codeOf(tree, command("Replace", admx, "<enabled/>", "chr"))).to.equal(200);
    expect(await codeOf(tree, command("Get", admx))).to.equal(404);
    expect(tree.read(admx)?.value).to.equal("<enabled/>");
  });

  it("lists an interior node's children on Get", async () => {
    expect(await codeOf(tree, command("Replace", CAMERA, "0", "int"))).to.equal(200);
    expect(await getValue(tree, "./Device/Vendor/MSFT/Policy/Config/Camera")).to.deep.equal({
      source: "./Device/Vendor/MSFT/Policy/Config/Camera",
      meta: { format: "node", type: "text/plain" },
      data: "AllowCamera",
    });
    expect((await getValue(tree, "./DevInfo"))?.data).to.equal("DevId/DmV/Lang/Man/Mod");
  });

  it("runs an MSI DownloadInstall: 404 before the Add, 202 after, the job recorded and Status initialized", async () => {
    expect(await codeOf(tree, command("Exec", `${MSI}/DownloadInstall`, MSI_JOB, "xml"))).to.equal(404);
    expect(await codeOf(tree, command("Add", `${MSI}/DownloadInstall`))).to.equal(200);
    expect(await codeOf(tree, command("Exec", `${MSI}/DownloadInstall`, "<MsiInstallJob/>", "xml"))).to.equal(400);
    expect(await codeOf(tree, command("Exec", `${MSI}/DownloadInstall`, "<MsiInstallJob", "xml"))).to.equal(415);
    expect(tree.execRecords()).to.deep.equal([]);
    expect(await codeOf(tree, command("Exec", `${MSI}/DownloadInstall`, MSI_JOB, "xml"))).to.equal(202);
    expect(tree.execRecords()).to.deep.equal([
      { behaviour: "msi-download-install", locUri: `${MSI}/DownloadInstall`, data: MSI_JOB, at: 1_700_000_000_000 },
    ]);
    expect((await getValue(tree, `${MSI}/Status`))?.data).to.equal("10");
    expect(await codeOf(tree, command("Add", MSI))).to.equal(418);
  });

  it("records edition upgrades and Autopilot Reset, refusing a malformed product key", async () => {
    const upgrade = "./Vendor/MSFT/WindowsLicensing/UpgradeEditionWithProductKey";
    expect(await codeOf(tree, command("Exec", upgrade, "not-a-key"))).to.equal(400);
    expect(await codeOf(tree, command("Exec", upgrade, "NPPR9-FWDCX-D2C8J-H872K-2YT43"))).to.equal(200);
    expect(await codeOf(tree, command("Exec", "./Vendor/MSFT/RemoteWipe/AutomaticRedeployment/doAutomaticRedeployment", ""))).to.equal(200);
    expect(await codeOf(tree, command("Get", upgrade))).to.equal(405);
    expect(tree.execRecords().map((record) => record.behaviour)).to.deep.equal(["edition-upgrade", "automatic-redeployment"]);
  });

  it("answers a command whose items differ with one Status per item naming it in TargetRef", async () => {
    const [reply] = await tree.execute({
      kind: "Replace",
      cmdId: "5",
      items: [
        { target: CAMERA, meta: { format: "int" }, data: "0" },
        { target: "./DevInfo/Man", data: "x" },
      ],
    });
    expect(reply!.statuses).to.deep.equal([
      { code: 200, targetRefs: [CAMERA] },
      { code: 405, targetRefs: ["./DevInfo/Man"] },
    ]);
  });

  it("applies an Atomic all together when every member succeeds", async () => {
    const replies = await tree.execute({
      kind: "Atomic",
      cmdId: "10",
      commands: [command("Replace", `${FIRST_SYNC}/SkipUserStatusPage`, "true", "bool"), command("Add", CAMERA, "0", "int")],
    });
    expect(replies.map((reply) => reply.statuses[0]!.code)).to.deep.equal([200, 200, 200]);
    expect((await getValue(tree, CAMERA))?.data).to.equal("0");
  });

  it("rolls an Atomic back when a member fails: 507 for the Atomic, 216 for the others, nothing applied", async () => {
    await tree.execute(command("Add", CAMERA, "1", "int"));
    const atomic: AtomicCommand = {
      kind: "Atomic",
      cmdId: "20",
      commands: [
        command("Replace", `${FIRST_SYNC}/SkipUserStatusPage`, "true", "bool"),
        command("Delete", CAMERA),
        command("Add", `${MSI}/DownloadInstall`),
        command("Replace", "./DevInfo/DevId", "x"),
      ],
    };
    const replies: CommandReply[] = await tree.execute(atomic);
    expect(replies.map((reply) => [reply.command.cmdId, reply.statuses[0]!.code])).to.deep.equal([
      ["20", 507],
      [atomic.commands[0]!.cmdId, 216],
      [atomic.commands[1]!.cmdId, 216],
      [atomic.commands[2]!.cmdId, 216],
      [atomic.commands[3]!.cmdId, 405],
    ]);
    expect(await codeOf(tree, command("Get", `${FIRST_SYNC}/SkipUserStatusPage`))).to.equal(404);
    expect((await getValue(tree, CAMERA))?.data).to.equal("1");
    expect(await codeOf(tree, command("Get", `${MSI}/DownloadInstall`))).to.equal(404);
  });

  it("answers nested Atomic and Get inside an Atomic with 500 and fails the Atomic (507), as Windows documents", async () => {
    const nested: AtomicCommand = {
      kind: "Atomic",
      cmdId: "30",
      commands: [
        command("Replace", CAMERA, "0", "int"),
        { kind: "Atomic", cmdId: "31", commands: [command("Replace", `${FIRST_SYNC}/IsSyncDone`, "true", "bool")] },
        command("Get", "./DevInfo/Man"),
      ],
    };
    const replies = await tree.execute(nested);
    expect(replies.map((reply) => reply.statuses[0]!.code)).to.deep.equal([507, 216, 500, 215, 500]);
    expect(replies.every((reply) => reply.results.length === 0)).to.equal(true);
    expect(tree.read(CAMERA)).to.equal(undefined);
  });

  it("runs a Sequence's members each on its own and answers unsupported commands with 400", async () => {
    const replies = await tree.execute({
      kind: "Sequence",
      cmdId: "40",
      commands: [command("Replace", CAMERA, "2", "int"), { kind: "Unsupported", name: "Copy", cmdId: "41" }, command("Get", CAMERA)],
    });
    expect(replies.map((reply) => reply.statuses[0]!.code)).to.deep.equal([200, 200, 400, 200]);
    expect(replies[3]!.results[0]?.data).to.equal("2");
  });

  it("saves every change to its store, and not a failed one", async () => {
    const store = new MemorySettingsStore();
    const stored = await CspTree.open({ identity: IDENTITY, store });
    await stored.execute(command("Replace", CAMERA, "0", "int"));
    expect((await store.load())?.nodes[CAMERA]).to.deep.equal({ format: "int", value: "0" });
    await stored.execute(command("Replace", CAMERA, "zero", "int"));
    expect((await store.load())?.nodes[CAMERA]).to.deep.equal({ format: "int", value: "0" });
  });

  it("answers 500 and keeps nothing when the settings cannot be saved", async () => {
    const failing = new MemorySettingsStore();
    failing.save = () => Promise.reject(new Error("disk full"));
    const broken = await CspTree.open({ identity: IDENTITY, store: failing });
    expect(await codeOf(broken, command("Replace", CAMERA, "0", "int"))).to.equal(500);
    expect(broken.read(CAMERA)).to.equal(undefined);
    expect(await codeOf(broken, command("Get", "./DevInfo/Man"))).to.equal(200);
  });

  it("answers 400 to an item without a Target", async () => {
    expect(await codeOf(tree, { kind: "Replace", cmdId: "1", items: [{ data: "1" }] })).to.equal(400);
  });
});
