import type { CommandEntry } from "../registry.js";
import { clockRateAdjust } from "./clock-rate-adjust.js";
import { clockSet } from "./clock-set.js";
import { readClock } from "./read-clock.js";

export const ENTRIES: readonly CommandEntry[] = [readClock, clockSet, clockRateAdjust];
