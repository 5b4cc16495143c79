import type { CommandEntry } from "../registry.js";
import { sign } from "./sign.js";
import { verifySignature } from "./verify-signature.js";

export const ENTRIES: readonly CommandEntry[] = [verifySignature, sign];
