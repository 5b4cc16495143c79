import type { CommandEntry } from "../registry.js";
import { shutdown } from "./shutdown.js";
import { startup } from "./startup.js";

export const ENTRIES: readonly CommandEntry[] = [startup, shutdown];
