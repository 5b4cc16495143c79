import type { CommandEntry } from "../registry.js";
import { clear } from "./clear.js";
import { hierarchyChangeAuth } from "./hierarchy-change-auth.js";

export const ENTRIES: readonly CommandEntry[] = [hierarchyChangeAuth, clear];
