import type { CommandEntry } from "../registry.js";
import { getRandom } from "./get-random.js";
import { stirRandom } from "./stir-random.js";

export const ENTRIES: readonly CommandEntry[] = [getRandom, stirRandom];
