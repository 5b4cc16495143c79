import { expect } from "chai";
import { readFile } from "node:fs/promises";
import { CspTree, buildFirstPackage, runManagementSession, type DeviceIdentity, type SyncMlTransport } from "../../../agent/index.js";
import {
  ProtocolError,
  buildSyncMl,
  headerStatus,
  parseSyncMl,
  syncHeader,
  type StatusCommand,
  type SyncMlCommand,
  type SyncMlMessage,
} from "../../../protocol/index.js";

const SERVER = "https://pocmdmserver.com/ManagementServer/MDM.svc";
const IDENTITY: DeviceIdentity = {
  deviceId: "1E08C6E95D8BB843B1278FF45BC60CC6",
  manufacturer: "VMware, Inc.",
  model: "VMware7,1",
  providerId: "MS DM Server",
  osVersion: "10.0.19043.1237",
};
const CAMERA = "./Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera";
const ESP = "./Device/Vendor/MSFT/DMClient/Provider/MS%20DM%20Server/FirstSyncStatus";
const MSI = "./Device/Vendor/MSFT/EnterpriseDesktopAppManagement/MSI/%7BA427C0AA-E2D5-40DF-ACE8-0D726A6BE096%7D/DownloadInstall";
const MSI_JOB =
  '<MsiInstallJob id="{A427C0AA-E2D5-40DF-ACE8-0D726A6BE096}"><Product Version="1.0.0.0"><Download><ContentURLList>' +
  "<ContentURL>https://apps.example/agent.msi</ContentURL></ContentURLList></Download><Validation><FileHash>AB12</FileHash>" +
  "</Validation><Enforcement><CommandLine>/quiet</CommandLine></Enforcement></Product></MsiInstallJob>";

/** A server message answering `device`'s message with `commands` after the header Status. */
function serverMessage(device: SyncMlMessage, msgId: number, commands: SyncMlCommand[], final: boolean): Uint8Array {
  const message: SyncMlMessage = {
    header: syncHeader({ sessionId: device.header.sessionId, msgId, target: device.header.source, source: SERVER }),
    commands: [headerStatus(device.header, "1"), ...commands],
    final,
  };
  return new TextEncoder().encode(buildSyncMl(message));
}

/** Status codes the device sent, keyed `Cmd CmdRef`. */
function statusesOf(message: SyncMlMessage): Record<string, number> {
  const statuses = message.commands.filter((command): command is StatusCommand => command.kind === "Status");
  return Object.fromEntries(statuses.map((status) => [`${status.cmd} ${status.cmdRef}`, status.data]));
}

async function openTree(): Promise<CspTree> {
  return CspTree.open({ identity: IDENTITY });
}

describe("agent/mdm/management-session", () => {
  it("builds package 1 exactly as the captured Windows 10 device sent it", async () => {
    const captured = parseSyncMl(await readFile(new URL("../../fixtures/windows-10-19043/syncml-session-start.xml", import.meta.url)));
    expect(buildFirstPackage({ identity: IDENTITY, serverUrl: SERVER, sessionId: 1, loginStatus: "user" })).to.deep.equal(captured);
  });

  it("starts a pushed session with Alert 1200 and carries DevicePrepSync as a 1224 event", () => {
    const first = buildFirstPackage({ identity: IDENTITY, serverUrl: SERVER, sessionId: 4, initiator: "server", devicePrepSync: "ProvisioningComplete" });
    expect(first.commands.slice(0, 2)).to.deep.equal([
      { kind: "Alert", cmdId: "2", data: "1200", items: [] },
      { kind: "Alert", cmdId: "3", data: "1224", items: [{ meta: { type: "com.microsoft/MDM/DevicePrepSync" }, data: "ProvisioningComplete" }] },
    ]);
    expect(first.header.sessionId).to.equal("4");
  });

  it("answers a scripted server's Get, Replace, Add, Atomic and Exec across two messages, then ends on Final", async () => {
    const tree = await openTree();
    const seen: SyncMlMessage[] = [];
    const transport: SyncMlTransport = (body) => {
      const device = parseSyncMl(body);
      seen.push(device);
      switch (seen.length) {
        case 1:
          return Promise.resolve(
            serverMessage(
              device,
              1,
              [
                { kind: "Status", cmdId: "2", msgRef: "1", cmdRef: "2", cmd: "Alert", targetRefs: [], sourceRefs: [], items: [], data: 200 },
                { kind: "Get", cmdId: "3", items: [{ target: "./DevDetail/SwV" }, { target: "./DevInfo/DevId" }] },
                { kind: "Replace", cmdId: "4", items: [{ target: CAMERA, meta: { format: "int" }, data: "0" }] },
                { kind: "Add", cmdId: "5", items: [{ target: MSI }] },
                { kind: "Get", cmdId: "6", items: [{ target: "./Vendor/MSFT/Nope" }] },
                { kind: "Unsupported", name: "Copy", cmdId: "15" },
              ],
              false,
            ),
          );
        case 2:
          return Promise.resolve(
            serverMessage(
              device,
              2,
              [
                {
                  kind: "Atomic",
                  cmdId: "7",
                  commands: [
                    { kind: "Replace", cmdId: "8", items: [{ target: `${ESP}/SkipUserStatusPage`, meta: { format: "bool" }, data: "true" }] },
                    { kind: "Replace", cmdId: "9", items: [{ target: `${ESP}/TimeOutUntilSyncFailure`, meta: { format: "int" }, data: "120" }] },
                  ],
                },
                {
                  kind: "Atomic",
                  cmdId: "10",
                  commands: [
                    { kind: "Replace", cmdId: "11", items: [{ target: `${ESP}/BlockInStatusPage`, meta: { format: "int" }, data: "1" }] },
                    { kind: "Add", cmdId: "12", items: [{ target: CAMERA, meta: { format: "int" }, data: "1" }] },
                  ],
                },
                { kind: "Exec", cmdId: "13", items: [{ target: MSI, meta: { format: "xml" }, data: MSI_JOB }] },
                { kind: "Get", cmdId: "14", items: [{ target: `${ESP}/TimeOutUntilSyncFailure` }] },
              ],
              true,
            ),
          );
        default:
          return Promise.resolve(serverMessage(device, 3, [], true));
      }
    };

    const result = await runManagementSession({ identity: IDENTITY, serverUrl: SERVER, tree, transport, sessionId: 9, loginStatus: "user" });

    expect(seen.map((message) => [message.header.sessionId, message.header.msgId])).to.deep.equal([
      ["9", "1"],
      ["9", "2"],
      ["9", "3"],
    ]);
    expect(result).to.deep.include({ sessionId: "9", messagesSent: 3, commandsAnswered: 11 });
    expect(result.serverStatuses.map((status) => status.cmdRef)).to.deep.equal(["2"]);

    const second = seen[1]!;
    expect(second.commands[0]).to.deep.include({ kind: "Status", cmdId: "1", msgRef: "1", cmdRef: "0", cmd: "SyncHdr", data: 200 });
    expect(statusesOf(second)).to.deep.equal({ "SyncHdr 0": 200, "Get 3": 200, "Replace 4": 200, "Add 5": 200, "Get 6": 404, "Copy 15": 400 });
    const results = second.commands.filter((command) => command.kind === "Results");
    expect(results).to.deep.equal([
      {
        kind: "Results",
        cmdId: "3",
        msgRef: "1",
        cmdRef: "3",
        targetRefs: [],
        sourceRefs: [],
        items: [
          { source: "./DevDetail/SwV", meta: { format: "chr", type: "text/plain" }, data: "10.0.19043.1237" },
          { source: "./DevInfo/DevId", meta: { format: "chr", type: "text/plain" }, data: IDENTITY.deviceId },
        ],
      },
    ]);
    expect(second.commands.at(-1)).to.deep.equal({ kind: "Alert", cmdId: String(second.commands.length), data: "1222", items: [] });
    expect(second.commands.map((command) => command.cmdId)).to.deep.equal(second.commands.map((_, index) => String(index + 1)));

    const third = seen[2]!;
    expect(statusesOf(third)).to.deep.equal({
      "SyncHdr 0": 200,
      "Atomic 7": 200,
      "Replace 8": 200,
      "Replace 9": 200,
      "Atomic 10": 507,
      "Replace 11": 216,
      "Add 12": 418,
      "Exec 13": 202,
      "Get 14": 200,
    });
    expect(third.commands.find((command) => command.kind === "Results")).to.deep.include({
      msgRef: "2",
      cmdRef: "14",
      items: [{ source: `${ESP}/TimeOutUntilSyncFailure`, meta: { format: "int", type: "text/plain" }, data: "120" }],
    });
    expect(third.commands.some((command) => command.kind === "Alert")).to.equal(false);
    expect(tree.read(`${ESP}/BlockInStatusPage`)).to.equal(undefined);
    expect(tree.read(CAMERA)?.value).to.equal("0");
    expect(tree.execRecords().map((record) => record.behaviour)).to.deep.equal(["msi-download-install"]);
  });

  it("ends the session on an empty 200 body", async () => {
    const result = await runManagementSession({ identity: IDENTITY, serverUrl: SERVER, tree: await openTree(), sessionId: 1, transport: () => Promise.resolve(new Uint8Array()) });
    expect(result.messagesSent).to.equal(1);
  });

  async function failure(transport: SyncMlTransport, maxMessages?: number): Promise<string> {
    try {
      await runManagementSession({ identity: IDENTITY, serverUrl: SERVER, tree: await openTree(), sessionId: 2, transport, ...(maxMessages === undefined ? {} : { maxMessages }) });
    } catch (error) {
      expect(error).to.be.instanceOf(ProtocolError);
      return (error as ProtocolError).code;
    }
    return expect.fail("the session should have failed");
  }

  it("stops with a coded error when the server refuses, breaks the rules, answers garbage or never ends", async () => {
    const reply = (build: (device: SyncMlMessage) => SyncMlMessage): SyncMlTransport => (body) =>
      Promise.resolve(new TextEncoder().encode(buildSyncMl(build(parseSyncMl(body)))));
    const base = (device: SyncMlMessage): SyncMlMessage => ({
      header: syncHeader({ sessionId: device.header.sessionId, msgId: 1, target: device.header.source, source: SERVER }),
      commands: [headerStatus(device.header, "1")],
      final: true,
    });
    expect(await failure(reply((device) => ({ ...base(device), commands: [headerStatus(device.header, "1", 401)] })))).to.equal("SYNCML_SESSION_REJECTED");
    expect(await failure(reply((device) => ({ ...base(device), header: { ...base(device).header, sessionId: "99" } })))).to.equal("SYNCML_SESSION_INVALID");
    expect(await failure(reply((device) => ({ ...base(device), header: { ...base(device).header, target: "someone-else" } })))).to.equal("SYNCML_SESSION_INVALID");
    expect(await failure(reply((device) => ({ ...base(device), commands: [{ kind: "Get", cmdId: "1", items: [{ target: "./DevInfo/Man" }] }] })))).to.equal(
      "SYNCML_SESSION_INVALID",
    );
    expect(await failure(() => Promise.resolve(new TextEncoder().encode("<html>busy</html>")))).to.equal("SYNCML_VERSION_UNSUPPORTED");
    expect(await failure(() => Promise.resolve(new TextEncoder().encode("<SyncML")))).to.equal("SYNCML_MALFORMED");
    const endless = reply((device) => ({ ...base(device), commands: [headerStatus(device.header, "1"), { kind: "Get", cmdId: "2", items: [{ target: "./DevInfo/Man" }] }] }));
    expect(await failure(endless, 5)).to.equal("SYNCML_SESSION_INVALID");
  });
});
