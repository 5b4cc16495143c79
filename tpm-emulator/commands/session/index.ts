import type { CommandEntry } from "../registry.js";
import { policyRestart } from "./policy-restart.js";
import { startAuthSession } from "./start-auth-session.js";

export const ENTRIES: readonly CommandEntry[] = [startAuthSession, policyRestart];
