/**
 * `parseSyncMl`: bytes of a SyncML 1.2 message to a typed {@link SyncMlMessage}. Elements are matched by namespace
 * and local name; Meta children are read in `syncml:metinf` and, as some servers write them, in the SyncML
 * namespace. Every rejection is a {@link ProtocolError} (SYNCML_MALFORMED, SYNCML_TOO_LARGE,
 * SYNCML_VERSION_UNSUPPORTED); nothing else is thrown.
 */
import { XmlError, childElements, parseXml, type XmlElement } from "../../lib/index.js";
import { ProtocolError } from "../errors.js";
import {
  ITEM_COMMANDS,
  type AlertCommand,
  type AtomicCommand,
  type ContainedCommand,
  type ItemCommand,
  type ItemCommandName,
  type ResultsCommand,
  type SequenceCommand,
  type StatusCommand,
  type SyncHdr,
  type SyncMlCommand,
  type SyncMlItem,
  type SyncMlMessage,
  type SyncMlMeta,
} from "./message.js";
import { METINF_NAMESPACE, SYNCML_LIMITS, SYNCML_NAMESPACE, SYNCML_VERSION } from "./namespaces.js";

const NS = SYNCML_NAMESPACE;

function malformed(detail: string, cause?: unknown): ProtocolError {
  return new ProtocolError("SYNCML_MALFORMED", detail, cause === undefined ? undefined : { cause });
}

interface Budget {
  commands: number;
}

/** The trimmed text of a required child, SYNCML_MALFORMED when missing, empty, or holding markup. */
function requiredText(parent: XmlElement, localName: string): string {
  const text = optionalText(parent, localName);
  if (text === undefined || text === "") throw malformed(`${parent.localName} lacks ${localName}`);
  return text;
}

function optionalText(parent: XmlElement, localName: string, namespace = NS): string | undefined {
  const found = childElements(parent, namespace, localName);
  if (found.length > 1) throw malformed(`${parent.localName} has ${found.length} ${localName} elements`);
  const element = found[0];
  if (element === undefined) return undefined;
  if (element.children.length > 0) throw malformed(`${parent.localName}/${localName} holds markup`);
  return element.text.trim();
}

function locUriOf(parent: XmlElement, localName: "Target" | "Source"): string | undefined {
  const found = childElements(parent, NS, localName);
  if (found.length > 1) throw malformed(`${parent.localName} has ${found.length} ${localName} elements`);
  if (found[0] === undefined) return undefined;
  return checkedLocUri(requiredText(found[0], "LocURI"));
}

function checkedLocUri(uri: string): string {
  if (uri.length > SYNCML_LIMITS.maxLocUriLength) {
    throw new ProtocolError("SYNCML_TOO_LARGE", `LocURI longer than ${SYNCML_LIMITS.maxLocUriLength} characters`);
  }
  return uri;
}

/** Meta children in `syncml:metinf`, or (as some servers write them) in the SyncML namespace. */
function metinfText(meta: XmlElement, localName: string): string | undefined {
  return optionalText(meta, localName, METINF_NAMESPACE) ?? optionalText(meta, localName, NS);
}

function parseMeta(parent: XmlElement): SyncMlMeta | undefined {
  const found = childElements(parent, NS, "Meta");
  if (found.length > 1) throw malformed(`${parent.localName} has ${found.length} Meta elements`);
  const meta = found[0];
  if (meta === undefined) return undefined;
  const format = metinfText(meta, "Format");
  const type = metinfText(meta, "Type");
  const size = metinfText(meta, "MaxMsgSize");
  let maxMsgSize: number | undefined;
  if (size !== undefined) {
    if (!/^[0-9]{1,10}$/.test(size)) throw malformed(`MaxMsgSize ${size} is not a number`);
    maxMsgSize = Number(size);
  }
  return {
    ...(format === undefined ? {} : { format }),
    ...(type === undefined ? {} : { type }),
    ...(maxMsgSize === undefined ? {} : { maxMsgSize }),
  };
}

/** Item Data is character data: text or CDATA, kept untrimmed (xml and b64 payloads are the node's value). */
function parseData(parent: XmlElement): string | undefined {
  const found = childElements(parent, NS, "Data");
  if (found.length > 1) throw malformed(`${parent.localName} has ${found.length} Data elements`);
  const data = found[0];
  if (data === undefined) return undefined;
  if (data.children.length > 0) throw malformed(`${parent.localName}/Data holds unescaped markup`);
  return data.text;
}

function parseItems(parent: XmlElement): SyncMlItem[] {
  const items = childElements(parent, NS, "Item");
  if (items.length > SYNCML_LIMITS.maxItems) throw new ProtocolError("SYNCML_TOO_LARGE", `more than ${SYNCML_LIMITS.maxItems} Items in one command`);
  return items.map((item) => {
    const target = locUriOf(item, "Target");
    const source = locUriOf(item, "Source");
    const meta = parseMeta(item);
    const data = parseData(item);
    return {
      ...(target === undefined ? {} : { target }),
      ...(source === undefined ? {} : { source }),
      ...(meta === undefined ? {} : { meta }),
      ...(data === undefined ? {} : { data }),
    };
  });
}

function refs(parent: XmlElement, localName: "TargetRef" | "SourceRef"): string[] {
  return childElements(parent, NS, localName).map((element) => {
    if (element.children.length > 0) throw malformed(`${localName} holds markup`);
    return checkedLocUri(element.text.trim());
  });
}

function cmdIdOf(element: XmlElement): string {
  return requiredText(element, "CmdID");
}

function parseItemCommand(element: XmlElement, kind: ItemCommandName): ItemCommand {
  const meta = parseMeta(element);
  const items = parseItems(element);
  if (items.length === 0) throw malformed(`${kind} ${cmdIdOf(element)} has no Item`);
  return { kind, cmdId: cmdIdOf(element), ...(meta === undefined ? {} : { meta }), items };
}

function parseContainer(element: XmlElement, kind: "Atomic" | "Sequence", budget: Budget): AtomicCommand | SequenceCommand {
  const meta = parseMeta(element);
  const commands: ContainedCommand[] = [];
  for (const child of element.children) {
    if (child.namespace !== NS) throw malformed(`foreign element {${child.namespace}}${child.localName} in ${kind}`);
    if (["CmdID", "Meta", "NoResp"].includes(child.localName)) continue;
    commands.push(parseContained(child, budget));
  }
  if (commands.length === 0) throw malformed(`${kind} holds no command`);
  return { kind, cmdId: cmdIdOf(element), ...(meta === undefined ? {} : { meta }), commands };
}

/** A command Atomic and Sequence may hold; anything else is kept as Unsupported for a 400 Status. */
function parseContained(element: XmlElement, budget: Budget): ContainedCommand {
  countCommand(budget);
  const name = element.localName;
  if ((ITEM_COMMANDS as readonly string[]).includes(name)) return parseItemCommand(element, name as ItemCommandName);
  if (name === "Atomic" || name === "Sequence") return parseContainer(element, name, budget);
  return { kind: "Unsupported", name, cmdId: cmdIdOf(element) };
}

function parseAlert(element: XmlElement): AlertCommand {
  const data = requiredText(element, "Data");
  if (!/^[0-9]{4}$/.test(data)) throw malformed(`Alert code ${data} is not four digits`);
  return { kind: "Alert", cmdId: cmdIdOf(element), data, items: parseItems(element) };
}

function parseStatus(element: XmlElement): StatusCommand {
  const code = requiredText(element, "Data");
  if (!/^[0-9]{3}$/.test(code)) throw malformed(`Status code ${code} is not three digits`);
  return {
    kind: "Status",
    cmdId: cmdIdOf(element),
    msgRef: requiredText(element, "MsgRef"),
    cmdRef: requiredText(element, "CmdRef"),
    cmd: requiredText(element, "Cmd"),
    targetRefs: refs(element, "TargetRef"),
    sourceRefs: refs(element, "SourceRef"),
    items: parseItems(element),
    data: Number(code),
  };
}

function parseResults(element: XmlElement): ResultsCommand {
  const meta = parseMeta(element);
  return {
    kind: "Results",
    cmdId: cmdIdOf(element),
    msgRef: requiredText(element, "MsgRef"),
    cmdRef: requiredText(element, "CmdRef"),
    ...(meta === undefined ? {} : { meta }),
    targetRefs: refs(element, "TargetRef"),
    sourceRefs: refs(element, "SourceRef"),
    items: parseItems(element),
  };
}

function countCommand(budget: Budget): void {
  if (++budget.commands > SYNCML_LIMITS.maxCommands) {
    throw new ProtocolError("SYNCML_TOO_LARGE", `more than ${SYNCML_LIMITS.maxCommands} commands`);
  }
}

function parseCommand(element: XmlElement, budget: Budget): SyncMlCommand {
  switch (element.localName) {
    case "Alert":
      countCommand(budget);
      return parseAlert(element);
    case "Status":
      countCommand(budget);
      return parseStatus(element);
    case "Results":
      countCommand(budget);
      return parseResults(element);
    default:
      return parseContained(element, budget);
  }
}

function parseHeader(element: XmlElement): SyncHdr {
  const verDTD = requiredText(element, "VerDTD");
  const verProto = requiredText(element, "VerProto");
  if (verDTD !== SYNCML_VERSION.verDTD || verProto !== SYNCML_VERSION.verProto) {
    throw new ProtocolError("SYNCML_VERSION_UNSUPPORTED", `VerDTD ${verDTD}, VerProto ${verProto}`);
  }
  const target = locUriOf(element, "Target");
  const source = locUriOf(element, "Source");
  if (target === undefined || source === undefined) throw malformed("SyncHdr lacks Target or Source");
  const meta = parseMeta(element);
  return {
    verDTD,
    verProto,
    sessionId: requiredText(element, "SessionID"),
    msgId: requiredText(element, "MsgID"),
    target,
    source,
    ...(meta === undefined ? {} : { meta }),
  };
}

function parseDocument(root: XmlElement): SyncMlMessage {
  if (root.localName !== "SyncML" || root.namespace !== NS) {
    throw new ProtocolError("SYNCML_VERSION_UNSUPPORTED", `root is {${root.namespace}}${root.localName}, not {${NS}}SyncML`);
  }
  const headers = childElements(root, NS, "SyncHdr");
  const bodies = childElements(root, NS, "SyncBody");
  if (headers.length !== 1 || bodies.length !== 1) throw malformed("SyncML needs exactly one SyncHdr and one SyncBody");
  const header = parseHeader(headers[0]!);
  const body = bodies[0]!;
  const budget: Budget = { commands: 0 };
  const commands: SyncMlCommand[] = [];
  let final = false;
  for (const child of body.children) {
    if (child.namespace !== NS) throw malformed(`foreign element {${child.namespace}}${child.localName} in SyncBody`);
    if (final) throw malformed("Final is not the last element of SyncBody");
    if (child.localName === "Final") {
      if (child.children.length > 0 || child.text.trim() !== "") throw malformed("Final is not empty");
      final = true;
      continue;
    }
    commands.push(parseCommand(child, budget));
  }
  return { header, commands, final };
}

/**
 * Parses one SyncML 1.2 message.
 * @throws ProtocolError SYNCML_TOO_LARGE beyond {@link SYNCML_LIMITS}, SYNCML_VERSION_UNSUPPORTED for another
 *   namespace or version, SYNCML_MALFORMED for anything else that is not a well-formed message.
 */
export function parseSyncMl(input: string | Uint8Array): SyncMlMessage {
  let root: XmlElement;
  try {
    root = parseXml(input, { maxBytes: SYNCML_LIMITS.maxBytes, maxDepth: SYNCML_LIMITS.maxDepth, maxElements: SYNCML_LIMITS.maxElements });
  } catch (error) {
    if (error instanceof XmlError) {
      throw new ProtocolError(error.code === "XML_TOO_LARGE" ? "SYNCML_TOO_LARGE" : "SYNCML_MALFORMED", error.message, { cause: error });
    }
    throw malformed("unreadable document", error);
  }
  return parseDocument(root);
}

