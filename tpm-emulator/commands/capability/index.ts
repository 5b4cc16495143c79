import type { CommandEntry } from "../registry.js";
import { getCapability } from "./get-capability.js";
import { testParms } from "./test-parms.js";

export const ENTRIES: readonly CommandEntry[] = [getCapability, testParms];
