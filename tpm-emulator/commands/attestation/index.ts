import type { CommandEntry } from "../registry.js";
import { certifyCreation } from "./certify-creation.js";
import { certify } from "./certify.js";
import { getTime } from "./get-time.js";
import { quote } from "./quote.js";

export const ENTRIES: readonly CommandEntry[] = [certify, certifyCreation, quote, getTime];
