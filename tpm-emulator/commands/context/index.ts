import type { CommandEntry } from "../registry.js";
import { contextLoad } from "./context-load.js";
import { contextSave } from "./context-save.js";
import { evictControl } from "./evict-control.js";
import { flushContext } from "./flush-context.js";

export const ENTRIES: readonly CommandEntry[] = [contextSave, contextLoad, flushContext, evictControl];
