import type { CommandEntry } from "../registry.js";
import { ppCommands } from "./pp-commands.js";

export const ENTRIES: readonly CommandEntry[] = [ppCommands];
