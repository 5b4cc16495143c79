/**
 * `buildSyncMl`: a typed {@link SyncMlMessage} to the XML Windows sends and accepts: the SyncML namespace on the
 * root, `syncml:metinf` declared on each Meta child, elements in the order of the OMA-DM 1.2 DTD.
 */
import { serializeXml, xmlNode, type XmlNode } from "../../lib/index.js";
import type { SyncHdr, SyncMlCommand, SyncMlItem, SyncMlMessage, SyncMlMeta } from "./message.js";
import { METINF_NAMESPACE, SYNCML_NAMESPACE } from "./namespaces.js";

function text(name: string, value: string | undefined): XmlNode | undefined {
  return value === undefined ? undefined : xmlNode(name, {}, value);
}

function locUri(name: "Target" | "Source", uri: string | undefined): XmlNode | undefined {
  return uri === undefined ? undefined : xmlNode(name, {}, xmlNode("LocURI", {}, uri));
}

function metinf(name: string, value: string | undefined): XmlNode | undefined {
  return value === undefined ? undefined : xmlNode(name, { xmlns: METINF_NAMESPACE }, value);
}

function meta(value: SyncMlMeta | undefined): XmlNode | undefined {
  if (value === undefined) return undefined;
  return xmlNode(
    "Meta",
    {},
    metinf("Format", value.format),
    metinf("Type", value.type),
    metinf("MaxMsgSize", value.maxMsgSize === undefined ? undefined : String(value.maxMsgSize)),
  );
}

function item(value: SyncMlItem): XmlNode {
  // An empty Data is kept as <Data></Data>-equivalent: the node exists and carries the empty string.
  const data = value.data === undefined ? undefined : value.data === "" ? xmlNode("Data") : xmlNode("Data", {}, value.data);
  return xmlNode("Item", {}, locUri("Target", value.target), locUri("Source", value.source), meta(value.meta), data);
}

function header(value: SyncHdr): XmlNode {
  return xmlNode(
    "SyncHdr",
    {},
    text("VerDTD", value.verDTD),
    text("VerProto", value.verProto),
    text("SessionID", value.sessionId),
    text("MsgID", value.msgId),
    locUri("Target", value.target),
    locUri("Source", value.source),
    meta(value.meta),
  );
}

function command(value: SyncMlCommand): XmlNode {
  switch (value.kind) {
    case "Alert":
      return xmlNode("Alert", {}, text("CmdID", value.cmdId), text("Data", value.data), ...value.items.map(item));
    case "Atomic":
    case "Sequence":
      return xmlNode(value.kind, {}, text("CmdID", value.cmdId), meta(value.meta), ...value.commands.map(command));
    case "Unsupported":
      return xmlNode(value.name, {}, text("CmdID", value.cmdId));
    case "Status":
      return xmlNode(
        "Status",
        {},
        text("CmdID", value.cmdId),
        text("MsgRef", value.msgRef),
        text("CmdRef", value.cmdRef),
        text("Cmd", value.cmd),
        ...value.targetRefs.map((ref) => text("TargetRef", ref)),
        ...value.sourceRefs.map((ref) => text("SourceRef", ref)),
        ...value.items.map(item),
        text("Data", String(value.data)),
      );
    case "Results":
      return xmlNode(
        "Results",
        {},
        text("CmdID", value.cmdId),
        text("MsgRef", value.msgRef),
        text("CmdRef", value.cmdRef),
        meta(value.meta),
        ...value.targetRefs.map((ref) => text("TargetRef", ref)),
        ...value.sourceRefs.map((ref) => text("SourceRef", ref)),
        ...value.items.map(item),
      );
    default:
      return xmlNode(value.kind, {}, text("CmdID", value.cmdId), meta(value.meta), ...value.items.map(item));
  }
}

/** The XML of one SyncML message, as UTF-8 text (no XML declaration, as Windows sends it). */
export function buildSyncMl(message: SyncMlMessage): string {
  return serializeXml(
    xmlNode(
      "SyncML",
      { xmlns: SYNCML_NAMESPACE },
      header(message.header),
      xmlNode("SyncBody", {}, ...message.commands.map(command), message.final ? xmlNode("Final") : undefined),
    ),
  );
}
