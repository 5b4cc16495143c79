export {
  SYNCML_ALERT,
  SYNCML_ALERT_TYPES,
  METINF_NAMESPACE,
  SYNCML_STATUS,
  SYNCML_LIMITS,
  SYNCML_MEDIA_TYPE,
  SYNCML_NAMESPACE,
  SYNCML_VERSION,
  isSuccessStatus,
} from "./namespaces.js";
export {
  ITEM_COMMANDS,
  type AlertCommand,
  type AtomicCommand,
  type ItemCommand,
  type ItemCommandName,
  type ResultsCommand,
  type StatusCommand,
  type SyncHdr,
  type SyncMlCommand,
  type SyncMlItem,
  type SyncMlMessage,
  type SyncMlMeta,
} from "./message.js";
export { parseSyncMl } from "./parse.js";
export { buildSyncMl } from "./build.js";
export {
  CmdIdSequence,
  checkCmdIds,
  checkReply,
  clientEventAlert,
  commandStatus,
  devInfoItems,
  devInfoReplace,
  getResults,
  headerStatus,
  sessionAlert,
  syncHeader,
  unenrollAlert,
  type DevInfo,
} from "./session-rules.js";
