/**
 * The session rules of MS-MDM §2.2.7 / OMA-DM 1.2 that both ends apply: CmdIDs unique and rising within a
 * message, the header acknowledged by the first Status (MsgRef = the peer's MsgID, CmdRef 0, Cmd SyncHdr), one
 * Status per command, MsgID rising per message and SessionID fixed within a session.
 */
import { ProtocolError } from "../errors.js";
import type { AlertCommand, ItemCommand, ResultsCommand, StatusCommand, SyncHdr, SyncMlCommand, SyncMlItem, SyncMlMessage } from "./message.js";
import { SYNCML_ALERT, SYNCML_ALERT_TYPES, SYNCML_STATUS, SYNCML_VERSION } from "./namespaces.js";

/** CmdIDs for one message: 1, 2, 3, … (MS-MDM §2.2.7: unique within the message). */
export class CmdIdSequence {
  private last: number;

  constructor(first = 1) {
    this.last = first - 1;
  }

  /** The next CmdID, as the text the wire carries. */
  nextCmdId(): string {
    this.last += 1;
    return String(this.last);
  }
}

/** A header for a message of `sessionId`/`msgId` from `source` to `target`. */
export function syncHeader(fields: { sessionId: string | number; msgId: string | number; target: string; source: string; maxMsgSize?: number }): SyncHdr {
  return {
    ...SYNCML_VERSION,
    sessionId: String(fields.sessionId),
    msgId: String(fields.msgId),
    target: fields.target,
    source: fields.source,
    ...(fields.maxMsgSize === undefined ? {} : { meta: { maxMsgSize: fields.maxMsgSize } }),
  };
}

/** The Status acknowledging the peer's header: MsgRef its MsgID, CmdRef 0, Cmd SyncHdr, refs to its URIs. */
export function headerStatus(peer: SyncHdr, cmdId: string, code: number = SYNCML_STATUS.OK): StatusCommand {
  return {
    kind: "Status",
    cmdId,
    msgRef: peer.msgId,
    cmdRef: "0",
    cmd: "SyncHdr",
    targetRefs: [peer.target],
    sourceRefs: [peer.source],
    items: [],
    data: code,
  };
}

/** The Status answering one command of the peer's message `msgRef`; TargetRefs name the addressed nodes. */
export function commandStatus(command: SyncMlCommand, msgRef: string, cmdId: string, code: number, targetRefs: readonly string[] = []): StatusCommand {
  const cmd = command.kind === "Unsupported" ? command.name : command.kind;
  return { kind: "Status", cmdId, msgRef, cmdRef: command.cmdId, cmd, targetRefs, sourceRefs: [], items: [], data: code };
}

/** The Results answering a Get: one item per node read, with Source LocURI, Format and Data. */
export function getResults(get: ItemCommand, msgRef: string, cmdId: string, items: readonly SyncMlItem[]): ResultsCommand {
  return { kind: "Results", cmdId, msgRef, cmdRef: get.cmdId, targetRefs: [], sourceRefs: [], items };
}

/** The DevInfo a device reports in its first package (MS-MDM §4: ./DevInfo/DevId, Man, Mod, DmV, Lang). */
export interface DevInfo {
  readonly devId: string;
  readonly man: string;
  readonly mod: string;
  /** OMA-DM client version; Windows reports 1.3. */
  readonly dmV?: string;
  readonly lang?: string;
}

/** The ./DevInfo items in Windows' order. */
export function devInfoItems(info: DevInfo): SyncMlItem[] {
  const nodes: [string, string][] = [
    ["DevId", info.devId],
    ["Man", info.man],
    ["Mod", info.mod],
    ["DmV", info.dmV ?? "1.3"],
    ["Lang", info.lang ?? "en-US"],
  ];
  return nodes.map(([name, data]) => ({ source: `./DevInfo/${name}`, data }));
}

/** The Replace carrying ./DevInfo that Windows puts in package 1. */
export function devInfoReplace(cmdId: string, info: DevInfo): ItemCommand {
  return { kind: "Replace", cmdId, items: devInfoItems(info) };
}

/** The 1201/1200 session alert. */
export function sessionAlert(cmdId: string, code: typeof SYNCML_ALERT.CLIENT_INITIATED | typeof SYNCML_ALERT.SERVER_INITIATED): AlertCommand {
  return { kind: "Alert", cmdId, data: code, items: [] };
}

/** A 1224 client-event alert (LoginStatus, AADUserToken, DevicePrepSync) carrying `data` under Meta Type `type`. */
export function clientEventAlert(cmdId: string, type: string, data: string): AlertCommand {
  return { kind: "Alert", cmdId, data: SYNCML_ALERT.CLIENT_EVENT, items: [{ meta: { type }, data }] };
}

/** The 1226 alert of a user-requested unenroll. */
export function unenrollAlert(cmdId: string): AlertCommand {
  return { kind: "Alert", cmdId, data: SYNCML_ALERT.GENERIC, items: [{ meta: { type: SYNCML_ALERT_TYPES.unenrollUserRequest, format: "int" }, data: "1" }] };
}

/**
 * Checks a reply against the message it answers: same SessionID, a header Status first that acknowledges
 * `sent` (MsgRef = its MsgID, CmdRef 0, Cmd SyncHdr), and CmdIDs unique within the reply.
 * @returns the code of the header Status.
 * @throws ProtocolError SYNCML_SESSION_INVALID when a rule is broken.
 */
export function checkReply(sent: SyncHdr, reply: SyncMlMessage): number {
  const invalid = (detail: string): ProtocolError => new ProtocolError("SYNCML_SESSION_INVALID", detail);
  if (reply.header.sessionId !== sent.sessionId) throw invalid(`SessionID ${reply.header.sessionId}, expected ${sent.sessionId}`);
  const first = reply.commands[0];
  if (first?.kind !== "Status" || first.cmd !== "SyncHdr" || first.cmdRef !== "0") throw invalid("the first command is not the SyncHdr Status");
  if (first.msgRef !== sent.msgId) throw invalid(`header Status MsgRef ${first.msgRef}, expected ${sent.msgId}`);
  checkCmdIds(reply);
  return first.data;
}

/** CmdIDs must be unique within a message (Atomic members included). */
export function checkCmdIds(message: SyncMlMessage): void {
  const seen = new Set<string>();
  const visit = (command: SyncMlCommand): void => {
    if (seen.has(command.cmdId)) throw new ProtocolError("SYNCML_SESSION_INVALID", `CmdID ${command.cmdId} used twice`);
    seen.add(command.cmdId);
    if (command.kind === "Atomic" || command.kind === "Sequence") command.commands.forEach(visit);
  };
  message.commands.forEach(visit);
}
