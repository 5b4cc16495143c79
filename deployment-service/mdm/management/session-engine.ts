/**
 * The server side of OMA-DM management sessions (MS-MDM §2.2.7, §3.2.5; OMA-DM 1.2 §8): per device, the session
 * its package 1 opened (Alert 1201 or 1200), the MsgIDs seen, and which queued command went out under which CmdID
 * of which server message, so that each Status and Results the device returns is stored against its command. Every
 * reply starts with the SyncHdr Status; commands go out in queue order, at most `maxCommandsPerMessage` per
 * message, the message without Final while more wait (the device then asks for the next with Alert 1222). A 1226
 * unenroll alert removes the enrollment. A message that breaks the rules gets a SyncHdr Status of 400 (or 403 for a
 * DeviceID that is not the certificate's), never a crash.
 */
import type { Clock } from "../../../lib/index.js";
import {
  CmdIdSequence,
  ProtocolError,
  SYNCML_ALERT,
  SYNCML_ALERT_TYPES,
  SYNCML_STATUS,
  buildSyncMl,
  checkCmdIds,
  commandStatus,
  headerStatus,
  parseSyncMl,
  syncHeader,
  type SyncHdr,
  type SyncMlCommand,
  type SyncMlMessage,
} from "../../../protocol/index.js";
import type { EnrollmentRecord, EnrollmentRegistry } from "../enrollment/index.js";
import type { CommandQueue, StoredResult } from "./command-queue.js";
import { buildCommand, type CommandMember } from "./command-spec.js";

/** Bounds of the engine. */
export interface SessionEngineLimits {
  /** Most queued commands (an Atomic counts as one) in one server message; default 20. */
  readonly maxCommandsPerMessage?: number;
  /** Most sessions open at once; a new one beyond this is answered 429; default 100. */
  readonly maxSessions?: number;
  /** A session idle this long is forgotten (its unanswered commands return to the queue); default 5 minutes. */
  readonly sessionIdleMs?: number;
  /** Seconds a refused device is told to wait (Retry-After); default 30. */
  readonly retryAfterSeconds?: number;
}

/** What the engine works with. */
export interface SessionEngineOptions extends SessionEngineLimits {
  readonly queue: CommandQueue;
  readonly registry: EnrollmentRegistry;
  readonly clock: Clock;
  /** Called when a device opens a session, before its first reply is built (what it is missing gets queued). */
  readonly onSessionOpen?: (enrollment: EnrollmentRecord) => Promise<void>;
}

/** The management server refused a new session because too many are open. */
export class ServerBusyError extends ProtocolError {
  constructor(readonly retryAfterSeconds: number) {
    super("MDM_SERVER_BUSY", `too many management sessions in flight; retry after ${retryAfterSeconds} s`);
  }
}

interface SentPart {
  readonly commandId: string;
  readonly member: CommandMember;
}

interface OpenSession {
  readonly sessionId: string;
  lastDeviceMsgId: number;
  serverMsgId: number;
  lastSeen: number;
  /** `<server MsgID>:<CmdID>` → the queued command (part) it carried. */
  readonly sent: Map<string, SentPart>;
}

/** SyncML 1.2 status codes of a refused message that {@link SYNCML_STATUS} does not name. */
const REQUEST_TOO_LARGE = 413;
const DTD_VERSION_NOT_SUPPORTED = 505;

const DEFAULTS = { maxCommandsPerMessage: 20, maxSessions: 100, sessionIdleMs: 5 * 60_000, retryAfterSeconds: 30 };

/** The sessions of every device, and how each message of theirs is answered. */
export class ManagementSessionEngine {
  private readonly sessions = new Map<string, OpenSession>();
  private readonly limits: Required<SessionEngineLimits>;

  constructor(private readonly options: SessionEngineOptions) {
    this.limits = {
      maxCommandsPerMessage: options.maxCommandsPerMessage ?? DEFAULTS.maxCommandsPerMessage,
      maxSessions: options.maxSessions ?? DEFAULTS.maxSessions,
      sessionIdleMs: options.sessionIdleMs ?? DEFAULTS.sessionIdleMs,
      retryAfterSeconds: options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
    };
  }

  /** Sessions open now (idle ones forgotten first). */
  openSessions(): number {
    this.forgetIdle();
    return this.sessions.size;
  }

  /**
   * Answers one device message of `enrollment` sent to `serverUrl`.
   * @returns the SyncML reply.
   * @throws ServerBusyError when the message opens a session beyond `maxSessions`.
   */
  async answer(enrollment: EnrollmentRecord, body: Uint8Array, serverUrl: string): Promise<string> {
    let message: SyncMlMessage;
    try {
      message = parseSyncMl(body);
      checkCmdIds(message);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      await this.endSession(enrollment.deviceId);
      return refusal(Buffer.from(body).toString("utf8"), enrollment.deviceId, serverUrl, refusalCode(error));
    }
    const { header } = message;
    const deviceId = enrollment.deviceId.toUpperCase();
    if (header.source.toUpperCase() !== deviceId) {
      await this.endSession(deviceId);
      return buildSyncMl(endOf(header, serverUrl, SYNCML_STATUS.FORBIDDEN));
    }
    const session = await this.sessionFor(deviceId, message);
    if (session === undefined) {
      await this.endSession(deviceId);
      return buildSyncMl(endOf(header, serverUrl, SYNCML_STATUS.BAD_REQUEST));
    }
    if (session.serverMsgId === 0) await this.options.onSessionOpen?.(enrollment);
    session.lastSeen = this.options.clock.now();
    session.lastDeviceMsgId = Number(header.msgId);
    session.serverMsgId += 1;
    const ids = new CmdIdSequence();
    const commands: SyncMlCommand[] = [headerStatus(header, ids.nextCmdId())];
    let unenrolled = false;
    for (const command of message.commands) {
      switch (command.kind) {
        case "Status":
          await this.storeStatus(session, command.msgRef, command.cmdRef, command.cmd, command.data, command.targetRefs);
          break;
        case "Results":
          await this.storeResults(session, command.msgRef, command.cmdRef, command.items.map((item) => ({
            source: item.source ?? "",
            ...(item.meta?.format === undefined ? {} : { format: item.meta.format }),
            data: item.data ?? "",
          })));
          break;
        case "Alert":
          if (command.data === SYNCML_ALERT.GENERIC && command.items.some((item) => item.meta?.type === SYNCML_ALERT_TYPES.unenrollUserRequest)) {
            unenrolled = true;
          }
          commands.push(commandStatus(command, header.msgId, ids.nextCmdId(), SYNCML_STATUS.OK));
          break;
        case "Replace":
          // Package 1's ./DevInfo (and later ./DevDetail) reports: the server takes note.
          commands.push(commandStatus(command, header.msgId, ids.nextCmdId(), SYNCML_STATUS.OK));
          break;
        default:
          commands.push(commandStatus(command, header.msgId, ids.nextCmdId(), SYNCML_STATUS.OPTIONAL_FEATURE_NOT_SUPPORTED));
      }
    }
    const replyHeader = syncHeader({ sessionId: header.sessionId, msgId: session.serverMsgId, target: header.source, source: serverUrl });
    if (unenrolled) {
      await this.options.registry.remove(deviceId);
      await this.endSession(deviceId);
      return buildSyncMl({ header: replyHeader, commands, final: true });
    }
    const { sent, more } = await this.sendQueued(deviceId, session, ids, commands);
    if (!sent && !more) this.sessions.delete(deviceId);
    return buildSyncMl({ header: replyHeader, commands, final: !more });
  }

  /** The session a message continues or opens; undefined when it breaks the SessionID/MsgID rules. */
  private async sessionFor(deviceId: string, message: SyncMlMessage): Promise<OpenSession | undefined> {
    this.forgetIdle();
    const { header } = message;
    const msgId = Number(header.msgId);
    if (!Number.isSafeInteger(msgId) || msgId < 1) return undefined;
    const existing = this.sessions.get(deviceId);
    if (msgId === 1) {
      const opens = message.commands.some(
        (command) => command.kind === "Alert" && (command.data === SYNCML_ALERT.CLIENT_INITIATED || command.data === SYNCML_ALERT.SERVER_INITIATED),
      );
      if (!opens) return undefined;
      if (existing === undefined && this.sessions.size >= this.limits.maxSessions) throw new ServerBusyError(this.limits.retryAfterSeconds);
      // A new package 1 ends whatever session the device had: what it never answered goes back in the queue.
      await this.options.queue.requeueUnanswered(deviceId);
      const session: OpenSession = { sessionId: header.sessionId, lastDeviceMsgId: 0, serverMsgId: 0, lastSeen: this.options.clock.now(), sent: new Map() };
      this.sessions.set(deviceId, session);
      return session;
    }
    if (existing === undefined || existing.sessionId !== header.sessionId || msgId !== existing.lastDeviceMsgId + 1) return undefined;
    return existing;
  }

  private async sendQueued(deviceId: string, session: OpenSession, ids: CmdIdSequence, commands: SyncMlCommand[]): Promise<{ sent: boolean; more: boolean }> {
    const limit = this.limits.maxCommandsPerMessage;
    const queued = await this.options.queue.nextQueued(deviceId, limit + 1);
    const batch = queued.slice(0, limit);
    const msgId = String(session.serverMsgId);
    for (const record of batch) {
      const built = buildCommand(record.spec, ids);
      commands.push(built.command);
      for (const part of built.parts) session.sent.set(`${msgId}:${part.cmdId}`, { commandId: record.commandId, member: part.member });
    }
    await this.options.queue.markSent(
      batch.map((record) => record.commandId),
      session.sessionId,
      msgId,
      this.options.clock.now(),
    );
    return { sent: batch.length > 0, more: queued.length > limit };
  }

  private async storeStatus(session: OpenSession, msgRef: string, cmdRef: string, cmd: string, code: number, targetRefs: readonly string[]): Promise<void> {
    // The Status of our SyncHdr (CmdRef 0) acknowledges the message, not a command.
    if (cmdRef === "0") return;
    const part = session.sent.get(`${msgRef}:${cmdRef}`);
    if (part === undefined) return;
    await this.options.queue.recordStatus(part.commandId, { member: part.member, cmd, code, targetRefs }, this.options.clock.now());
  }

  private async storeResults(session: OpenSession, msgRef: string, cmdRef: string, items: readonly Omit<StoredResult, "member">[]): Promise<void> {
    const part = session.sent.get(`${msgRef}:${cmdRef}`);
    if (part === undefined) return;
    await this.options.queue.recordResults(part.commandId, items.map((item) => ({ member: part.member, ...item })));
  }

  private async endSession(deviceId: string): Promise<void> {
    const key = deviceId.toUpperCase();
    if (this.sessions.delete(key)) await this.options.queue.requeueUnanswered(key);
  }

  private forgetIdle(): void {
    const now = this.options.clock.now();
    for (const [deviceId, session] of this.sessions) {
      if (now - session.lastSeen > this.limits.sessionIdleMs) this.sessions.delete(deviceId);
    }
  }
}

/** The SyncHdr Status code of a message that could not be read. */
function refusalCode(error: ProtocolError): number {
  switch (error.code) {
    case "SYNCML_TOO_LARGE":
      return REQUEST_TOO_LARGE;
    case "SYNCML_VERSION_UNSUPPORTED":
      return DTD_VERSION_NOT_SUPPORTED;
    default:
      return SYNCML_STATUS.BAD_REQUEST;
  }
}

/** A final reply whose only command is the SyncHdr Status `code`. */
function endOf(peer: SyncHdr, serverUrl: string, code: number): SyncMlMessage {
  const header = syncHeader({ sessionId: peer.sessionId, msgId: peer.msgId, target: peer.source, source: serverUrl });
  return { header, commands: [headerStatus(peer, "1", code)], final: true };
}

/** The reply to a message that is not SyncML 1.2: its SessionID and MsgID echoed when they can be found. */
function refusal(text: string, deviceId: string, serverUrl: string, code: number): string {
  const field = (name: string, fallback: string): string => {
    const found = new RegExp(`<${name}>\\s*([0-9A-Za-z]{1,32})\\s*</${name}>`).exec(text)?.[1];
    return found ?? fallback;
  };
  const peer = syncHeader({ sessionId: field("SessionID", "0"), msgId: field("MsgID", "0"), target: serverUrl, source: deviceId });
  return buildSyncMl(endOf(peer, serverUrl, code));
}
