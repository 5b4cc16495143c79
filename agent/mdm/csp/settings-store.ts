/**
 * Where the CSP tree keeps what the server set, so settings outlive the agent process as they outlive a reboot
 * on Windows: an in-memory store for tests and throwaway devices, and a JSON file written atomically.
 */
import { readFileIfExists, writeFileAtomic } from "../../../lib/index.js";
import { ProtocolError } from "../../../protocol/index.js";
import type { NodeFormat } from "./csp-node.js";

/** A value set on a node. */
export interface StoredNode {
  readonly format: NodeFormat;
  readonly value: string;
}

/** What an Exec asked the device to do (an MSI install job, an edition upgrade, a redeployment, …). */
export interface ExecRecord {
  readonly behaviour: string;
  readonly locUri: string;
  readonly data: string;
  /** Milliseconds since the epoch, from the device clock. */
  readonly at: number;
}

/** The whole persisted state of the tree. */
export interface CspState {
  readonly version: 1;
  readonly nodes: Readonly<Record<string, StoredNode>>;
  readonly execs: readonly ExecRecord[];
}

/** Persistence of the tree's state. */
export interface SettingsStore {
  /** The last saved state, or undefined when nothing was saved yet. */
  load(): Promise<CspState | undefined>;
  save(state: CspState): Promise<void>;
}

function invalid(detail: string, cause?: unknown): ProtocolError {
  return new ProtocolError("MDM_SETTINGS_INVALID", detail, cause === undefined ? undefined : { cause });
}

/** A store that keeps one copy of the state in memory. */
export class MemorySettingsStore implements SettingsStore {
  private state: CspState | undefined;

  load(): Promise<CspState | undefined> {
    return Promise.resolve(this.state === undefined ? undefined : structuredClone(this.state));
  }

  save(state: CspState): Promise<void> {
    this.state = structuredClone(state);
    return Promise.resolve();
  }
}

const FORMATS: readonly string[] = ["chr", "int", "bool", "b64", "xml", "node"];

function isStoredNode(value: unknown): value is StoredNode {
  if (typeof value !== "object" || value === null) return false;
  const { format, value: text } = value as Record<string, unknown>;
  return typeof format === "string" && FORMATS.includes(format) && typeof text === "string";
}

function isExecRecord(value: unknown): value is ExecRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.behaviour === "string" && typeof record.locUri === "string" && typeof record.data === "string" && typeof record.at === "number";
}

/**
 * Checks a parsed JSON document is a saved {@link CspState}.
 * @throws ProtocolError MDM_SETTINGS_INVALID otherwise.
 */
export function readCspState(document: unknown): CspState {
  if (typeof document !== "object" || document === null) throw invalid("settings are not a JSON object");
  const { version, nodes, execs } = document as Record<string, unknown>;
  if (version !== 1) throw invalid(`settings version ${String(version)} is not 1`);
  if (typeof nodes !== "object" || nodes === null || !Object.values(nodes).every(isStoredNode)) {
    throw invalid("settings nodes are malformed");
  }
  if (!Array.isArray(execs) || !execs.every(isExecRecord)) throw invalid("settings exec records are malformed");
  return { version: 1, nodes: nodes as Record<string, StoredNode>, execs };
}

/** A store in one JSON file, replaced atomically on every save. */
export class FileSettingsStore implements SettingsStore {
  constructor(readonly file: string) {}

  async load(): Promise<CspState | undefined> {
    const bytes = await readFileIfExists(this.file);
    if (bytes === undefined) return undefined;
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString("utf8"));
    } catch (error) {
      throw invalid(`${this.file} is not JSON`, error);
    }
    return readCspState(document);
  }

  async save(state: CspState): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(state, null, 2) + "\n");
  }
}
