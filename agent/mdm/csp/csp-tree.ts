/**
 * The device's management tree: applies the server's Add, Replace, Get, Delete, Exec and Atomic commands to the
 * CSP nodes of {@link CSP_NODES} and answers each with the SyncML status Windows gives (MS-MDM §3.1.5.2; OMA-DM 1.2
 * status codes): 404 for an unknown node, 405 for a command the node does not accept, 415 for a format the node
 * does not take or data that is not of its format, 418 for an Add of an existing node, 507 for an Atomic with a
 * failing member, whose other members are rolled back (216). Every change is saved to the settings store.
 */
import { XmlError, parseXml, systemClock, type Clock } from "../../../lib/index.js";
import {
  SYNCML_STATUS,
  isSuccessStatus,
  type AtomicCommand,
  type ContainedCommand,
  type ItemCommand,
  type SyncMlItem,
  type SyncMlMeta,
} from "../../../protocol/index.js";
import { CSP_NODES } from "./csp-catalogue.js";
import {
  canonicalLocUri,
  compileNodes,
  matchNode,
  type CompiledNode,
  type CspNodeDefinition,
  type DeviceIdentity,
  type NodeFormat,
} from "./csp-node.js";
import { runExec } from "./exec-handlers.js";
import { MemorySettingsStore, type CspState, type ExecRecord, type SettingsStore, type StoredNode } from "./settings-store.js";

/** One Status the device sends for a command: for the whole command, or for the items named in TargetRefs. */
export interface CommandStatus {
  readonly code: number;
  readonly targetRefs: readonly string[];
}

/** The device's answer to one command: its Status(es) and, for a Get, the items of its Results. */
export interface CommandReply {
  readonly command: ContainedCommand;
  readonly statuses: readonly CommandStatus[];
  readonly results: readonly SyncMlItem[];
}

/** How to open a {@link CspTree}. */
export interface CspTreeOptions {
  readonly identity: DeviceIdentity;
  /** Where settings persist; default in memory. */
  readonly store?: SettingsStore;
  readonly clock?: Clock;
  /** The node catalogue; default {@link CSP_NODES}. */
  readonly nodes?: readonly CspNodeDefinition[];
}

interface ItemOutcome {
  readonly code: number;
  readonly target: string | undefined;
  readonly result?: SyncMlItem;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True when `data` is a value of `format` (OMA-DM Description Framework formats). */
export function isDataOfFormat(format: NodeFormat, data: string): boolean {
  switch (format) {
    case "chr":
      return true;
    case "int":
      return /^-?[0-9]{1,10}$/.test(data.trim());
    case "bool":
      return /^(?:true|false)$/i.test(data.trim());
    case "b64":
      return BASE64.test(data.replace(/\s+/g, ""));
    case "node":
      return data.trim() === "";
    case "xml":
      try {
        parseXml(data, { maxBytes: 256 * 1024, maxDepth: 32, maxElements: 5_000 });
        return true;
      } catch (error) {
        if (error instanceof XmlError) return false;
        throw error;
      }
  }
}

function reply(command: ContainedCommand, code: number): CommandReply {
  return { command, statuses: [{ code, targetRefs: [] }], results: [] };
}

/** 215 for every command of a container that was refused as a whole. */
function notExecuted(commands: readonly ContainedCommand[]): CommandReply[] {
  return commands.flatMap((command) => [
    reply(command, SYNCML_STATUS.NOT_EXECUTED),
    ...(command.kind === "Atomic" || command.kind === "Sequence" ? notExecuted(command.commands) : []),
  ]);
}

const POLICY_RESULT = "/Vendor/MSFT/Policy/Result/";
const POLICY_CONFIG = "/Vendor/MSFT/Policy/Config/";

/** The CSP tree of one device. */
export class CspTree {
  private readonly compiled: readonly CompiledNode[];
  private nodes: Map<string, StoredNode>;
  private execs: ExecRecord[];

  private constructor(
    private readonly identity: DeviceIdentity,
    private readonly store: SettingsStore,
    private readonly clock: Clock,
    definitions: readonly CspNodeDefinition[],
    state: CspState | undefined,
  ) {
    this.compiled = compileNodes(definitions);
    this.nodes = new Map(Object.entries(state?.nodes ?? {}));
    this.execs = [...(state?.execs ?? [])];
  }

  /**
   * A tree with the settings last saved in `options.store`.
   * @throws ProtocolError MDM_SETTINGS_INVALID when the store holds something that is not a saved tree.
   */
  static async open(options: CspTreeOptions): Promise<CspTree> {
    const store = options.store ?? new MemorySettingsStore();
    return new CspTree(options.identity, store, options.clock ?? systemClock, options.nodes ?? CSP_NODES, await store.load());
  }

  /**
   * Applies one command; an Atomic's or Sequence's reply comes first, its members' follow. Changes are saved before
   * returning; when the store cannot save them they are undone and every status becomes 500 (command failed).
   */
  async execute(command: ContainedCommand): Promise<CommandReply[]> {
    const before = this.snapshot();
    const replies = this.runContained(command);
    if (this.sameAs(before)) return replies;
    try {
      await this.store.save(this.state());
    } catch {
      this.nodes = before.nodes;
      this.execs = before.execs;
      return replies.map((reply) => ({
        command: reply.command,
        statuses: reply.statuses.map((status) => ({ ...status, code: SYNCML_STATUS.COMMAND_FAILED })),
        results: [],
      }));
    }
    return replies;
  }

  /** The value stored on a node, as the device itself reads it (no Get quirks); undefined when unset. */
  read(locUri: string): StoredNode | undefined {
    const uri = canonicalLocUri(locUri);
    return uri === undefined ? undefined : this.nodes.get(uri);
  }

  /** The LocURIs stored below `locUri`, as the device itself lists them (no Get quirks). */
  storedUnder(locUri: string): string[] {
    const uri = canonicalLocUri(locUri);
    return uri === undefined ? [] : [...this.nodes.keys()].filter((key) => key.startsWith(`${uri}/`));
  }

  /** Everything the server asked the device to Exec, oldest first. */
  execRecords(): readonly ExecRecord[] {
    return [...this.execs];
  }

  /** Sets a node the device reports (an install's Status, ESP progress), bypassing the server's access rules. */
  async setDeviceValue(locUri: string, format: NodeFormat, value: string): Promise<void> {
    const uri = canonicalLocUri(locUri);
    if (uri === undefined) throw new RangeError(`${locUri} is not a ./ LocURI`);
    this.nodes.set(uri, { format, value });
    await this.store.save(this.state());
  }

  private state(): CspState {
    return { version: 1, nodes: Object.fromEntries(this.nodes), execs: [...this.execs] };
  }

  private snapshot(): { nodes: Map<string, StoredNode>; execs: ExecRecord[] } {
    return { nodes: new Map(this.nodes), execs: [...this.execs] };
  }

  private sameAs(before: { nodes: Map<string, StoredNode>; execs: ExecRecord[] }): boolean {
    if (before.execs.length !== this.execs.length || before.nodes.size !== this.nodes.size) return false;
    for (const [uri, node] of this.nodes) {
      const old = before.nodes.get(uri);
      if (old === undefined || old.value !== node.value || old.format !== node.format) return false;
    }
    return true;
  }

  private runContained(command: ContainedCommand): CommandReply[] {
    switch (command.kind) {
      case "Atomic":
        return this.runAtomic(command);
      case "Sequence":
        return [reply(command, SYNCML_STATUS.OK), ...command.commands.flatMap((member) => this.runContained(member))];
      case "Unsupported":
        // "OMA DM protocol support": an element that is not a valid OMA DM command is answered with 400.
        return [reply(command, SYNCML_STATUS.BAD_REQUEST)];
      default:
        return [this.runCommand(command)];
    }
  }

  /** OMA-DM 1.2 §6.6.3 Atomic: all members or none; 507 on failure, the members that had applied report 216. */
  private runAtomic(atomic: AtomicCommand): CommandReply[] {
    const before = this.snapshot();
    const members = atomic.commands.flatMap((member) => this.runAtomicMember(member, atomic.meta));
    const failed = members.some((member) => member.statuses.some((status) => !isSuccessStatus(status.code)));
    if (!failed) return [reply(atomic, SYNCML_STATUS.OK), ...members];
    this.nodes = before.nodes;
    this.execs = before.execs;
    const rolledBack = members.map((member) => ({
      command: member.command,
      statuses: member.statuses.map((status) =>
        isSuccessStatus(status.code) && status.code !== SYNCML_STATUS.NOT_EXECUTED ? { ...status, code: SYNCML_STATUS.ATOMIC_ROLLBACK_OK } : status,
      ),
      results: [],
    }));
    return [reply(atomic, SYNCML_STATUS.ATOMIC_FAILED), ...rolledBack];
  }

  /** "OMA DM protocol support": nested Atomic and Get are not allowed in an Atomic and answer 500. */
  private runAtomicMember(member: ContainedCommand, meta: SyncMlMeta | undefined): CommandReply[] {
    switch (member.kind) {
      case "Add":
      case "Replace":
      case "Delete":
      case "Exec":
        return [this.runCommand(member, meta)];
      case "Unsupported":
        return [reply(member, SYNCML_STATUS.BAD_REQUEST)];
      case "Get":
        return [reply(member, SYNCML_STATUS.COMMAND_FAILED)];
      case "Atomic":
      case "Sequence":
        return [reply(member, SYNCML_STATUS.COMMAND_FAILED), ...notExecuted(member.commands)];
    }
  }

  private runCommand(command: ItemCommand, outerMeta?: SyncMlMeta): CommandReply {
    const outcomes = command.items.map((item) => this.applyItem(command, item, command.meta ?? outerMeta));
    const codes = new Set(outcomes.map((outcome) => outcome.code));
    // OMA-DM 1.2: one Status when every item has the same outcome, else one per item naming it in TargetRef.
    const statuses: CommandStatus[] =
      codes.size === 1
        ? [{ code: outcomes[0]!.code, targetRefs: [] }]
        : outcomes.map((outcome) => ({ code: outcome.code, targetRefs: outcome.target === undefined ? [] : [outcome.target] }));
    const results = outcomes.flatMap((outcome) => (outcome.result === undefined ? [] : [outcome.result]));
    return { command, statuses, results };
  }

  private applyItem(command: ItemCommand, item: SyncMlItem, commandMeta: SyncMlMeta | undefined): ItemOutcome {
    const target = item.target;
    const outcome = (code: number, result?: SyncMlItem): ItemOutcome => ({ code, target, ...(result === undefined ? {} : { result }) });
    if (target === undefined) return outcome(SYNCML_STATUS.BAD_REQUEST);
    const uri = canonicalLocUri(target);
    if (uri === undefined) return outcome(SYNCML_STATUS.NOT_FOUND);
    const node = matchNode(this.compiled, uri, this.identity)?.definition;
    if (node === undefined) {
      if (command.kind === "Get" && this.isInterior(uri)) return outcome(SYNCML_STATUS.OK, this.interiorResult(target, uri));
      return outcome(SYNCML_STATUS.NOT_FOUND);
    }
    if (!node.access.includes(command.kind)) return outcome(SYNCML_STATUS.NOT_ALLOWED);
    const data = item.data ?? "";
    const format = item.meta?.format ?? commandMeta?.format;
    switch (command.kind) {
      case "Get":
        return this.get(node, target, uri, outcome);
      case "Delete":
        if (!this.exists(node, uri)) return outcome(SYNCML_STATUS.NOT_FOUND);
        this.deleteSubtree(uri);
        return outcome(SYNCML_STATUS.OK);
      case "Add":
        if (this.exists(node, uri)) return outcome(SYNCML_STATUS.ALREADY_EXISTS);
        return outcome(this.write(node, uri, format, data));
      case "Replace":
        return outcome(this.write(node, uri, format, data));
      case "Exec":
        return outcome(this.exec(node, uri, data));
    }
  }

  private get(node: CspNodeDefinition, target: string, uri: string, outcome: (code: number, result?: SyncMlItem) => ItemOutcome): ItemOutcome {
    if (node.getNotFound?.(uri) === true) return outcome(SYNCML_STATUS.NOT_FOUND);
    const stored = this.nodes.get(uri.includes(POLICY_RESULT) ? uri.replace(POLICY_RESULT, POLICY_CONFIG) : uri);
    if (stored?.format === "node") return outcome(SYNCML_STATUS.OK, this.interiorResult(target, uri));
    const value = stored?.value ?? node.deviceValue?.(this.identity) ?? node.defaultValue;
    if (value === undefined) {
      return this.isInterior(uri) ? outcome(SYNCML_STATUS.OK, this.interiorResult(target, uri)) : outcome(SYNCML_STATUS.NOT_FOUND);
    }
    const format = stored?.format ?? node.formats[0]!;
    return outcome(SYNCML_STATUS.OK, { source: target, meta: { format, type: "text/plain" }, data: value });
  }

  private write(node: CspNodeDefinition, uri: string, requested: string | undefined, data: string): number {
    const format = (requested ?? node.formats[0]!) as NodeFormat;
    if (!node.formats.includes(format) || !isDataOfFormat(format, data)) return SYNCML_STATUS.UNSUPPORTED_MEDIA_TYPE;
    const refused = node.writeRule?.(this.nodes.get(uri)?.value ?? node.defaultValue, data);
    if (refused !== undefined) return refused;
    this.nodes.set(uri, { format, value: format === "node" ? "" : data });
    return SYNCML_STATUS.OK;
  }

  private exec(node: CspNodeDefinition, uri: string, data: string): number {
    if (node.exec === undefined) return SYNCML_STATUS.COMMAND_FAILED;
    if (node.execNeedsNode === true && !this.exists(node, uri)) return SYNCML_STATUS.NOT_FOUND;
    const result = runExec(node.exec, uri, data);
    if (!isSuccessStatus(result.code)) return result.code;
    for (const write of result.writes) this.nodes.set(write.locUri, { format: write.format, value: write.value });
    if (result.record) this.execs.push({ behaviour: node.exec, locUri: uri, data, at: this.clock.now() });
    return result.code;
  }

  private exists(node: CspNodeDefinition, uri: string): boolean {
    return this.nodes.has(uri) || this.hasDescendant(uri) || node.deviceValue?.(this.identity) !== undefined;
  }

  private hasDescendant(uri: string): boolean {
    const prefix = uri + "/";
    for (const key of this.nodes.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  private deleteSubtree(uri: string): void {
    const prefix = uri + "/";
    for (const key of [...this.nodes.keys()]) if (key === uri || key.startsWith(prefix)) this.nodes.delete(key);
  }

  /** Paths the device can answer for without a stored value: its read-only nodes with a value. */
  private devicePaths(): string[] {
    return this.compiled
      .filter((node) => node.wildcards === 0 && node.definition.deviceValue?.(this.identity) !== undefined)
      .map((node) => node.definition.pattern);
  }

  private isInterior(uri: string): boolean {
    const prefix = uri + "/";
    return this.hasDescendant(uri) || this.devicePaths().some((path) => path.startsWith(prefix));
  }

  /** An interior node's Get: its child names separated by `/` (OMA-DM 1.2 TND, format node). */
  private interiorResult(target: string, uri: string): SyncMlItem {
    const prefix = uri + "/";
    const children = new Set<string>();
    for (const path of [...this.nodes.keys(), ...this.devicePaths()]) {
      if (path.startsWith(prefix)) children.add(path.slice(prefix.length).split("/")[0]!);
    }
    return { source: target, meta: { format: "node", type: "text/plain" }, data: [...children].sort().join("/") };
  }
}
