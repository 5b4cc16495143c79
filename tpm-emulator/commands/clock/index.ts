import type { CommandEntry } from "../registry.js";
import { readClock } from "./read-clock.js";

export const ENTRIES: readonly CommandEntry[] = [readClock];
