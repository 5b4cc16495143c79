import type { CommandEntry } from "../registry.js";

export const ENTRIES: readonly CommandEntry[] = [];
