/**
 * The management commands an administrator queues for a device, as JSON: an Add, Replace, Get, Delete or Exec
 * with its items (`{kind, items: [{target, format?, type?, data?}]}`), or an Atomic of such commands
 * (`{kind: "Atomic", commands: [...]}`), and how one becomes the SyncML command the server sends (OMA-DM 1.2 §6.6).
 */
import {
  ProtocolError,
  SYNCML_LIMITS,
  type AtomicCommand,
  type CmdIdSequence,
  type ItemCommand,
  type ItemCommandName,
  type SyncMlItem,
} from "../../../protocol/index.js";

/** One item of a queued command: the node addressed and, for Add/Replace/Exec, its data. */
export interface CommandItemSpec {
  readonly target: string;
  /** Meta Format: `chr`, `int`, `bool`, `b64`, `xml`, `node`. */
  readonly format?: string;
  /** Meta Type, e.g. `text/plain`. */
  readonly type?: string;
  readonly data?: string;
}

/** A command acting on nodes. */
export interface ItemCommandSpec {
  readonly kind: ItemCommandName;
  readonly items: readonly CommandItemSpec[];
}

/** An Atomic: its members apply all together or not at all. */
export interface AtomicCommandSpec {
  readonly kind: "Atomic";
  readonly commands: readonly ItemCommandSpec[];
}

/** A command as queued. */
export type CommandSpec = ItemCommandSpec | AtomicCommandSpec;

/** Bounds of a queued command. */
export const COMMAND_SPEC_LIMITS = Object.freeze({
  /** Most members of an Atomic. */
  maxAtomicMembers: 100,
  /** Most items of one command. */
  maxItems: 100,
  /** Longest item data, in characters. */
  maxDataLength: 64 * 1024,
});

const ITEM_KINDS: readonly string[] = ["Add", "Replace", "Get", "Delete", "Exec"];
const FORMATS: readonly string[] = ["chr", "int", "bool", "b64", "xml", "node", "null"];

function invalid(detail: string): ProtocolError {
  return new ProtocolError("MDM_COMMAND_INVALID", detail);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalText(record: Record<string, unknown>, name: string, where: string, maxLength: number): string | undefined {
  const value = record[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > maxLength) throw invalid(`${where}.${name} must be a string of at most ${maxLength} characters`);
  return value;
}

function parseItem(value: unknown, where: string): CommandItemSpec {
  if (!isRecord(value)) throw invalid(`${where} must be an object`);
  const target = value.target;
  if (typeof target !== "string" || !target.startsWith("./") || target.length > SYNCML_LIMITS.maxLocUriLength) {
    throw invalid(`${where}.target must be a ./ LocURI of at most ${SYNCML_LIMITS.maxLocUriLength} characters`);
  }
  const format = optionalText(value, "format", where, 16);
  if (format !== undefined && !FORMATS.includes(format)) throw invalid(`${where}.format must be one of ${FORMATS.join(", ")}`);
  const type = optionalText(value, "type", where, 256);
  const data = optionalText(value, "data", where, COMMAND_SPEC_LIMITS.maxDataLength);
  return { target, ...(format === undefined ? {} : { format }), ...(type === undefined ? {} : { type }), ...(data === undefined ? {} : { data }) };
}

function parseItemCommand(value: Record<string, unknown>, where: string): ItemCommandSpec {
  const items = value.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > COMMAND_SPEC_LIMITS.maxItems) {
    throw invalid(`${where}.items must hold 1 to ${COMMAND_SPEC_LIMITS.maxItems} items`);
  }
  return { kind: value.kind as ItemCommandName, items: items.map((item, index) => parseItem(item, `${where}.items[${index}]`)) };
}

/**
 * Reads a queued command from its JSON document.
 * @throws ProtocolError MDM_COMMAND_INVALID for anything else.
 */
export function parseCommandSpec(document: unknown): CommandSpec {
  if (!isRecord(document)) throw invalid("the command must be a JSON object");
  if (document.kind === "Atomic") {
    const members = document.commands;
    if (!Array.isArray(members) || members.length === 0 || members.length > COMMAND_SPEC_LIMITS.maxAtomicMembers) {
      throw invalid(`Atomic.commands must hold 1 to ${COMMAND_SPEC_LIMITS.maxAtomicMembers} commands`);
    }
    const commands = members.map((member, index) => {
      const where = `commands[${index}]`;
      if (!isRecord(member) || typeof member.kind !== "string" || !ITEM_KINDS.includes(member.kind)) {
        throw invalid(`${where}.kind must be one of ${ITEM_KINDS.join(", ")}`);
      }
      return parseItemCommand(member, where);
    });
    return { kind: "Atomic", commands };
  }
  if (typeof document.kind !== "string" || !ITEM_KINDS.includes(document.kind)) {
    throw invalid(`kind must be one of ${ITEM_KINDS.join(", ")} or Atomic`);
  }
  return parseItemCommand(document, "command");
}

/** Which part of a queued command a CmdID stands for: the command itself (`null`) or an Atomic member's index. */
export type CommandMember = number | null;

/** A queued command as SyncML, with the CmdID of each part. */
export interface BuiltCommand {
  readonly command: ItemCommand | AtomicCommand;
  readonly parts: readonly { readonly cmdId: string; readonly member: CommandMember }[];
}

function toSyncMlItem(item: CommandItemSpec): SyncMlItem {
  const meta = item.format === undefined && item.type === undefined ? undefined : { ...(item.format === undefined ? {} : { format: item.format }), ...(item.type === undefined ? {} : { type: item.type }) };
  return { target: item.target, ...(meta === undefined ? {} : { meta }), ...(item.data === undefined ? {} : { data: item.data }) };
}

/** The SyncML command of `spec`, its CmdIDs (the container's first, then its members') taken from `ids`. */
export function buildCommand(spec: CommandSpec, ids: CmdIdSequence): BuiltCommand {
  if (spec.kind === "Atomic") {
    const cmdId = ids.nextCmdId();
    const members = spec.commands.map((member) => ({ kind: member.kind, cmdId: ids.nextCmdId(), items: member.items.map(toSyncMlItem) }));
    return {
      command: { kind: "Atomic", cmdId, commands: members },
      parts: [{ cmdId, member: null }, ...members.map((member, index) => ({ cmdId: member.cmdId, member: index }))],
    };
  }
  const cmdId = ids.nextCmdId();
  return { command: { kind: spec.kind, cmdId, items: spec.items.map(toSyncMlItem) }, parts: [{ cmdId, member: null }] };
}
