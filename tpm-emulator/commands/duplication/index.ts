import type { CommandEntry } from "../registry.js";
import { duplicate } from "./duplicate.js";
import { importObject } from "./import.js";

export const ENTRIES: readonly CommandEntry[] = [duplicate, importObject];
