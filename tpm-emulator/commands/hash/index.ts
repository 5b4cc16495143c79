import type { CommandEntry } from "../registry.js";
import { hash } from "./hash.js";

export const ENTRIES: readonly CommandEntry[] = [hash];
