import type { CommandEntry } from "../registry.js";
import { getTestResult } from "./get-test-result.js";
import { selfTest } from "./self-test.js";

export const ENTRIES: readonly CommandEntry[] = [selfTest, getTestResult];
