import type { CommandEntry } from "../registry.js";
import { getTestResult } from "./get-test-result.js";
import { incrementalSelfTest } from "./incremental-self-test.js";
import { selfTest } from "./self-test.js";

export const ENTRIES: readonly CommandEntry[] = [selfTest, incrementalSelfTest, getTestResult];
