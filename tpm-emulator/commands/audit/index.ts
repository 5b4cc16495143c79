import type { CommandEntry } from "../registry.js";
import { getCommandAuditDigest } from "./get-command-audit-digest.js";
import { getSessionAuditDigest } from "./get-session-audit-digest.js";
import { setCommandCodeAuditStatus } from "./set-command-code-audit-status.js";

export const ENTRIES: readonly CommandEntry[] = [getSessionAuditDigest, getCommandAuditDigest, setCommandCodeAuditStatus];
