/**
 * Typed SyncML 1.2 messages (OMA-DM representation protocol, as profiled by MS-MDM §2.2.7): a SyncHdr, the
 * SyncBody commands in order, and Final. Values are kept as the text the wire carries (CmdID, MsgID, Data) so a
 * message parses and builds back to the same content.
 */

/** Meta information (`syncml:metinf`): the data's Format and Type, and the header's MaxMsgSize. */
export interface SyncMlMeta {
  /** `chr`, `int`, `bool`, `b64`, `xml`, `node`, … */
  readonly format?: string;
  /** MIME type (`text/plain`) or an alert's event type (`com.microsoft/MDM/LoginStatus`). */
  readonly type?: string;
  readonly maxMsgSize?: number;
}

/** One Item: the node addressed (Target on commands to the device, Source on its answers), its meta and data. */
export interface SyncMlItem {
  readonly target?: string;
  readonly source?: string;
  readonly meta?: SyncMlMeta;
  /** Character data; markup in data travels escaped or as CDATA. */
  readonly data?: string;
}

/** The SyncHdr (MS-MDM §2.2.7.1). */
export interface SyncHdr {
  readonly verDTD: string;
  readonly verProto: string;
  readonly sessionId: string;
  readonly msgId: string;
  /** Target LocURI: the server URL on device messages, the DeviceID on server messages. */
  readonly target: string;
  /** Source LocURI: the DeviceID on device messages, the server URL on server messages. */
  readonly source: string;
  readonly meta?: SyncMlMeta;
}

/** Commands that act on nodes of the device's management tree. */
export type ItemCommandName = "Add" | "Replace" | "Get" | "Delete" | "Exec";

/** Add, Replace, Get, Delete or Exec. */
export interface ItemCommand {
  readonly kind: ItemCommandName;
  readonly cmdId: string;
  readonly meta?: SyncMlMeta;
  readonly items: readonly SyncMlItem[];
}

/** Atomic: its members apply all together or not at all. */
export interface AtomicCommand {
  readonly kind: "Atomic";
  readonly cmdId: string;
  readonly meta?: SyncMlMeta;
  readonly commands: readonly ContainedCommand[];
}

/** Sequence: its members apply one after the other, each on its own. */
export interface SequenceCommand {
  readonly kind: "Sequence";
  readonly cmdId: string;
  readonly meta?: SyncMlMeta;
  readonly commands: readonly ContainedCommand[];
}

/**
 * A SyncBody, Atomic or Sequence element that is not an OMA-DM command Windows supports (Copy, Map, Sync, …). It is
 * kept, by name and CmdID only, so the device can answer it with 400 as Windows does ("OMA DM protocol support").
 */
export interface UnsupportedCommand {
  readonly kind: "Unsupported";
  readonly name: string;
  readonly cmdId: string;
}

/** What Atomic and Sequence may hold. */
export type ContainedCommand = ItemCommand | AtomicCommand | SequenceCommand | UnsupportedCommand;

/** Alert with its code in Data and optional Items (1224's event, 1226's unenroll reason). */
export interface AlertCommand {
  readonly kind: "Alert";
  readonly cmdId: string;
  readonly data: string;
  readonly items: readonly SyncMlItem[];
}

/** Status: the outcome of one command of the peer's message (CmdRef `0` and Cmd `SyncHdr` for the header). */
export interface StatusCommand {
  readonly kind: "Status";
  readonly cmdId: string;
  readonly msgRef: string;
  readonly cmdRef: string;
  /** The name of the command answered (`SyncHdr`, `Alert`, `Replace`, …). */
  readonly cmd: string;
  readonly targetRefs: readonly string[];
  readonly sourceRefs: readonly string[];
  readonly items: readonly SyncMlItem[];
  /** The status code, e.g. 200. */
  readonly data: number;
}

/** Results: what a Get read. */
export interface ResultsCommand {
  readonly kind: "Results";
  readonly cmdId: string;
  readonly msgRef: string;
  readonly cmdRef: string;
  readonly meta?: SyncMlMeta;
  readonly targetRefs: readonly string[];
  readonly sourceRefs: readonly string[];
  readonly items: readonly SyncMlItem[];
}

/** Any SyncBody command. */
export type SyncMlCommand = ContainedCommand | AlertCommand | StatusCommand | ResultsCommand;

/** One SyncML message. */
export interface SyncMlMessage {
  readonly header: SyncHdr;
  readonly commands: readonly SyncMlCommand[];
  /** True when the message ends with `<Final/>` (the sender's package is complete). */
  readonly final: boolean;
}

/** Names of the commands that act on tree nodes. */
export const ITEM_COMMANDS: readonly ItemCommandName[] = ["Add", "Replace", "Get", "Delete", "Exec"];
