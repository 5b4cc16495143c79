import { expect } from "chai";
import {
  CmdIdSequence,
  checkReply,
  devInfoReplace,
  headerStatus,
  parseSyncMl,
  syncHeader,
  unenrollAlert,
  type SyncMlMessage,
} from "../../../protocol/index.js";
import { codeOf, fixture } from "./support.js";

const SERVER = "https://mdm.example/ManagementServer/MDM.svc";
const DEVICE = "1E08C6E95D8BB843B1278FF45BC60CC6";

describe("protocol/syncml/session-rules", () => {
  it("numbers commands 1, 2, 3 … within a message", () => {
    const ids = new CmdIdSequence();
    expect([ids.nextCmdId(), ids.nextCmdId(), ids.nextCmdId()]).to.deep.equal(["1", "2", "3"]);
    expect(new CmdIdSequence(2).nextCmdId()).to.equal("2");
  });

  it("builds the ./DevInfo Replace exactly as the captured Windows package carries it", async () => {
    const captured = parseSyncMl(await fixture("syncml-session-start.xml"));
    expect(devInfoReplace("4", { devId: DEVICE, man: "VMware, Inc.", mod: "VMware7,1" })).to.deep.equal(captured.commands[2]);
  });

  it("acknowledges the peer's header with MsgRef = its MsgID, CmdRef 0, Cmd SyncHdr", () => {
    const peer = syncHeader({ sessionId: 3, msgId: 5, target: SERVER, source: DEVICE });
    expect(headerStatus(peer, "1")).to.deep.equal({
      kind: "Status",
      cmdId: "1",
      msgRef: "5",
      cmdRef: "0",
      cmd: "SyncHdr",
      targetRefs: [SERVER],
      sourceRefs: [DEVICE],
      items: [],
      data: 200,
    });
  });

  it("checks a reply: SessionID, header Status first, its MsgRef, unique CmdIDs", () => {
    const sent = syncHeader({ sessionId: 3, msgId: 2, target: SERVER, source: DEVICE });
    const replyHeader = syncHeader({ sessionId: 3, msgId: 2, target: DEVICE, source: SERVER });
    const good: SyncMlMessage = { header: replyHeader, commands: [headerStatus(sent, "1", 212)], final: true };
    expect(checkReply(sent, good)).to.equal(212);
    expect(codeOf(() => checkReply(sent, { ...good, header: { ...replyHeader, sessionId: "4" } }))).to.equal("SYNCML_SESSION_INVALID");
    expect(codeOf(() => checkReply(sent, { ...good, commands: [] }))).to.equal("SYNCML_SESSION_INVALID");
    expect(codeOf(() => checkReply(sent, { ...good, commands: [{ ...headerStatus(sent, "1"), msgRef: "1" }] }))).to.equal("SYNCML_SESSION_INVALID");
    const twice: SyncMlMessage = { ...good, commands: [headerStatus(sent, "1"), unenrollAlert("1")] };
    expect(codeOf(() => checkReply(sent, twice))).to.equal("SYNCML_SESSION_INVALID");
  });
});
