/**
 * The device side of one OMA-DM management session, as `MSFT OMA DM Client/1.2.0.1` runs it (MS-MDM §2.2.7,
 * §3.1.5): package 1 carries the session alert (1201 client-initiated, 1200 after a server push), the optional
 * 1224 client events and the ./DevInfo Replace; every later message carries the SyncHdr Status first, a Status
 * for each server command, Results for each Get, and Alert 1222 while the server's package is not Final. The
 * session ends when the server sends Final with nothing left to answer, or an empty body.
 */
import {
  CmdIdSequence,
  ProtocolError,
  SYNCML_ALERT,
  SYNCML_ALERT_TYPES,
  SYNCML_STATUS,
  buildSyncMl,
  checkReply,
  clientEventAlert,
  commandStatus,
  devInfoReplace,
  getResults,
  headerStatus,
  isSuccessStatus,
  parseSyncMl,
  sessionAlert,
  syncHeader,
  type StatusCommand,
  type SyncHdr,
  type SyncMlCommand,
  type SyncMlMessage,
} from "../../protocol/index.js";
import type { CspTree } from "./csp/csp-tree.js";
import type { DeviceIdentity } from "./csp/csp-node.js";

/** Sends one SyncML message body and resolves to the server's answer body (empty for an empty 200). */
export type SyncMlTransport = (body: Uint8Array) => Promise<Uint8Array>;

/** 1224 DevicePrepSync values (MS-MDM §3.2.5.1.6). */
export type DevicePrepSyncState = "PendingProvisioning" | "Bootstrapping" | "ExecutingProvisioning" | "ProvisioningComplete";

/** One session's parameters. */
export interface ManagementSessionOptions {
  readonly identity: DeviceIdentity;
  /** The management server URL (the Target of every device message). */
  readonly serverUrl: string;
  readonly tree: CspTree;
  readonly transport: SyncMlTransport;
  /** Rises by one per session. */
  readonly sessionId: number;
  /** `server` after a push notification (Alert 1200); default `client` (Alert 1201). */
  readonly initiator?: "client" | "server";
  /** 1224 com.microsoft/MDM/LoginStatus. */
  readonly loginStatus?: "user" | "others" | "none";
  /** 1224 com.microsoft/MDM/AADUserToken: the user's token. */
  readonly aadUserToken?: string;
  /** 1224 com.microsoft/MDM/DevicePrepSync. */
  readonly devicePrepSync?: DevicePrepSyncState;
  /** Most messages the device sends in one session; default 50. */
  readonly maxMessages?: number;
}

/** What one session did. */
export interface ManagementSessionResult {
  readonly sessionId: string;
  readonly messagesSent: number;
  /** Server commands the device answered, Atomic and Sequence members counted, the containers themselves not. */
  readonly commandsAnswered: number;
  /** The server's Statuses of the device's commands, in arrival order. */
  readonly serverStatuses: readonly StatusCommand[];
}

/** Package 1 of a session (MS-MDM §4 example; the captured Windows 10 21H1 package has this shape). */
export function buildFirstPackage(options: Omit<ManagementSessionOptions, "tree" | "transport">): SyncMlMessage {
  const ids = new CmdIdSequence(2);
  const commands: SyncMlCommand[] = [
    sessionAlert(ids.nextCmdId(), options.initiator === "server" ? SYNCML_ALERT.SERVER_INITIATED : SYNCML_ALERT.CLIENT_INITIATED),
  ];
  if (options.loginStatus !== undefined) commands.push(clientEventAlert(ids.nextCmdId(), SYNCML_ALERT_TYPES.loginStatus, options.loginStatus));
  if (options.aadUserToken !== undefined) commands.push(clientEventAlert(ids.nextCmdId(), SYNCML_ALERT_TYPES.aadUserToken, options.aadUserToken));
  if (options.devicePrepSync !== undefined) commands.push(clientEventAlert(ids.nextCmdId(), SYNCML_ALERT_TYPES.devicePrepSync, options.devicePrepSync));
  const { identity } = options;
  commands.push(
    devInfoReplace(ids.nextCmdId(), {
      devId: identity.deviceId,
      man: identity.manufacturer,
      mod: identity.model,
      ...(identity.language === undefined ? {} : { lang: identity.language }),
    }),
  );
  return {
    header: syncHeader({ sessionId: options.sessionId, msgId: 1, target: options.serverUrl, source: identity.deviceId }),
    commands,
    final: true,
  };
}

/**
 * The device's answer to one server message; `commandsAnswered` counts the server's tree commands (Atomic and
 * Sequence members, not the containers), `hasAnswers` whether the server's message called for any Status.
 */
export async function answerServerMessage(
  tree: CspTree,
  server: SyncMlMessage,
  header: SyncHdr,
): Promise<{ readonly message: SyncMlMessage; readonly commandsAnswered: number; readonly hasAnswers: boolean }> {
  const ids = new CmdIdSequence();
  const msgRef = server.header.msgId;
  const commands: SyncMlCommand[] = [headerStatus(server.header, ids.nextCmdId())];
  let commandsAnswered = 0;
  for (const command of server.commands) {
    switch (command.kind) {
      case "Status":
      case "Results":
        break;
      case "Alert":
        commands.push(commandStatus(command, msgRef, ids.nextCmdId(), SYNCML_STATUS.OK));
        break;
      default:
        for (const reply of await tree.execute(command)) {
          commandsAnswered += reply.command.kind === "Atomic" || reply.command.kind === "Sequence" ? 0 : 1;
          for (const status of reply.statuses) commands.push(commandStatus(reply.command, msgRef, ids.nextCmdId(), status.code, status.targetRefs));
          if (reply.command.kind === "Get" && reply.results.length > 0) {
            commands.push(getResults(reply.command, msgRef, ids.nextCmdId(), reply.results));
          }
        }
    }
  }
  const hasAnswers = commands.length > 1;
  // OMA-DM 1.2 §8.2: while the server's package is not Final, the client asks for its next message.
  if (!server.final) commands.push({ kind: "Alert", cmdId: ids.nextCmdId(), data: SYNCML_ALERT.NEXT_MESSAGE, items: [] });
  return { message: { header, commands, final: true }, commandsAnswered, hasAnswers };
}

/**
 * Runs one management session over `options.transport` until the server has nothing left to say.
 * @throws ProtocolError SYNCML_MALFORMED / SYNCML_TOO_LARGE / SYNCML_VERSION_UNSUPPORTED for a server message
 *   that is not SyncML 1.2, SYNCML_SESSION_INVALID when the server breaks the session rules or keeps the session
 *   open beyond `maxMessages`, SYNCML_SESSION_REJECTED when the server's SyncHdr Status is not 2xx.
 */
export async function runManagementSession(options: ManagementSessionOptions): Promise<ManagementSessionResult> {
  const maxMessages = options.maxMessages ?? 50;
  const encoder = new TextEncoder();
  const serverStatuses: StatusCommand[] = [];
  let outgoing = buildFirstPackage(options);
  let messagesSent = 0;
  let commandsAnswered = 0;
  for (;;) {
    if (messagesSent >= maxMessages) {
      throw new ProtocolError("SYNCML_SESSION_INVALID", `the server kept the session open beyond ${maxMessages} messages`);
    }
    const body = await options.transport(encoder.encode(buildSyncMl(outgoing)));
    messagesSent += 1;
    // A real client also accepts an empty 200 body as the end of the session (reference §2.3).
    if (Buffer.from(body).toString("utf8").trim() === "") break;
    const reply = parseSyncMl(body);
    const headerCode = checkReply(outgoing.header, reply);
    if (!isSuccessStatus(headerCode)) throw new ProtocolError("SYNCML_SESSION_REJECTED", `SyncHdr Status ${headerCode}`);
    if (reply.header.target !== options.identity.deviceId) {
      throw new ProtocolError("SYNCML_SESSION_INVALID", `server message addressed to ${reply.header.target}`);
    }
    serverStatuses.push(...reply.commands.filter((command): command is StatusCommand => command.kind === "Status").slice(1));
    const header = syncHeader({
      sessionId: outgoing.header.sessionId,
      msgId: Number(outgoing.header.msgId) + 1,
      target: options.serverUrl,
      source: options.identity.deviceId,
    });
    const answer = await answerServerMessage(options.tree, reply, header);
    commandsAnswered += answer.commandsAnswered;
    if (reply.final && !answer.hasAnswers) break;
    outgoing = answer.message;
  }
  return { sessionId: String(options.sessionId), messagesSent, commandsAnswered, serverStatuses };
}
